import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Every process sshwrap starts must go through a SpawnExecutor, so a caller's executor (an
// Electron utilityProcess adapter, a sandbox, a recording fake) sees all of them. Only the
// default executors may touch node:child_process.
const ALLOWED = ['src/process/executor.ts'];
const CHILD_PROCESS = /(?:from\s*|import\s*\(\s*|require\s*\(\s*)['"](?:node:)?child_process['"]/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('one process seam', () => {
  const files = sources('src');

  it('scans the whole source tree', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files).toContain('src/process/executor.ts');
  });

  it('the pattern catches static imports, re-exports, dynamic imports and require', () => {
    for (const line of [
      "import { spawn } from 'node:child_process';",
      "import type { ChildProcess } from 'child_process';",
      "export { execFile } from 'node:child_process';",
      "const { spawn } = await import('node:child_process');",
      "const cp = require('child_process');",
    ]) expect(line).toMatch(CHILD_PROCESS);
  });

  it('only src/process/executor.ts imports node:child_process', () => {
    expect(files.filter((file) => CHILD_PROCESS.test(readFileSync(file, 'utf8')))).toEqual(ALLOWED);
  });
});
