import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sshdAvailable } from '../testbed/index.js';

// The README and docs blocks marked ```ts runnable are run as written (each starts its own
// throwaway sshd with sshwrap/testing), against the built package like a user's program.
const DOCS = ['README.md', 'docs', 'docs/guides'].flatMap((entry) =>
  entry.endsWith('.md') ? [entry] : fs.readdirSync(entry).filter((name) => name.endsWith('.md')).map((name) => path.join(entry, name)),
);
const OUT = '.doc-run';

function runnableBlocks(): Array<{ file: string; line: number; code: string }> {
  const found: Array<{ file: string; line: number; code: string }> = [];
  for (const file of DOCS) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!/^```(ts|typescript)\s+runnable\s*$/.test(lines[i]!)) continue;
      let end = i + 1;
      while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
      found.push({ file, line: i + 2, code: lines.slice(i + 1, end).join('\n') });
      i = end;
    }
  }
  return found;
}

const blocks = runnableBlocks();
const ready = sshdAvailable({ users: 'current' }).ok && fs.existsSync('dist/index.js');

describe.skipIf(!ready)('runnable code blocks', () => {
  it('there is at least one', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  it.each(blocks.map((block) => [`${block.file}:${block.line}`, block] as const))('%s runs and exits 0', (_where, block) => {
    fs.mkdirSync(OUT, { recursive: true });
    const file = path.join(OUT, `${path.basename(block.file, '.md')}-${block.line}.ts`);
    fs.writeFileSync(file, `${block.code}\nexport {};\n`);
    try {
      const run = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 60_000 });
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }, 90_000);
});
