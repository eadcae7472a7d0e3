import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Every TypeScript block in the README, docs/ and docs/guides/ must compile as written, against the published
// types (`sshwrap`, `sshwrap/core`, `sshwrap/testing` resolve to dist/ through package.json
// "exports", as in a user's project): pasted into a file, a snippet has no undefined name and
// calls the API as it is. Each block is its own module.
const DOCS = ['README.md', ...['docs', 'docs/guides'].flatMap((dir) => fs.readdirSync(dir).filter((name) => name.endsWith('.md')).map((name) => `${dir}/${name}`))];
const OUT = '.doc-blocks';

interface Block {
  file: string;
  line: number;
  code: string;
}

function blocks(): Block[] {
  const found: Block[] = [];
  for (const file of DOCS) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!/^```(ts|typescript)(\s+runnable)?\s*$/.test(lines[i]!)) continue;
      const start = i + 1;
      let end = start;
      while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
      found.push({ file, line: start + 1, code: lines.slice(start, end).join('\n') });
      i = end;
    }
  }
  return found;
}

const built = fs.existsSync('dist/index.d.ts');
if (!built && process.env.CI) throw new Error('dist/ is missing: CI must run `npm run build` before `npm test`');

describe.skipIf(!built)('code blocks in README.md, docs/*.md and docs/guides/*.md', () => {
  it('type-check as written', () => {
    const all = blocks();
    expect(all.length).toBeGreaterThan(10);
    fs.rmSync(OUT, { recursive: true, force: true });
    fs.mkdirSync(OUT);
    const names = all.map((block, index) => {
      const name = `${path.basename(block.file, '.md')}-${block.line}-${index}.ts`;
      // `export {}` makes each block a module: top-level await works and names stay per block.
      fs.writeFileSync(path.join(OUT, name), `${block.code}\nexport {};\n`);
      return name;
    });
    fs.writeFileSync(
      path.join(OUT, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022', 'DOM'], types: ['node'], strict: true, noEmit: true, skipLibCheck: true },
        files: names,
      }),
    );
    try {
      const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', path.join(OUT, 'tsconfig.json')], { encoding: 'utf8', timeout: 120_000 });
      // Point each error at the Markdown line it comes from.
      const errors = tsc.stdout
        .split('\n')
        .filter((line) => /error TS/.test(line))
        .map((line) => {
          const match = /^\.doc-blocks\/(.+?)-(\d+)-(\d+)\.ts\((\d+),\d+\): (.*)$/.exec(line);
          if (!match) return line;
          const block = all[Number(match[3])]!;
          return `${block.file}:${block.line + Number(match[4]) - 1}: ${match[5]}`;
        });
      expect(errors).toEqual([]);
    } finally {
      fs.rmSync(OUT, { recursive: true, force: true });
    }
  }, 180_000);
});
