import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const PURE = ['src/errors', 'src/schemas', 'src/quoting', 'src/wrap', 'src/resolve/store-adapters.ts'];
const FORBIDDEN = /from\s+['"](node:)?(child_process|fs|fs\/promises|net|http|https)['"]|require\(['"](node:)?(child_process|fs)/;
const PURE_DIRS = /^\.\.\/(errors|schemas|quoting|wrap)\/|^\.\/|^\.\.\/resolve\/store-adapters\.js$/;

function files(path: string): string[] {
  if (statSync(path).isFile()) return [path];
  return readdirSync(path).flatMap((name) => files(join(path, name)));
}

describe('pure core', () => {
  const sources = PURE.flatMap(files).filter((file) => file.endsWith('.ts'));

  it('has sources to check', () => {
    expect(sources.length).toBeGreaterThan(10);
  });

  it.each(sources)('%s does no process or file I/O', (file) => {
    expect(readFileSync(file, 'utf8')).not.toMatch(FORBIDDEN);
  });

  it.each(sources)('%s imports only other pure modules (type-only imports are erased)', (file) => {
    const statements = [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?from\s+['"](\.[^'"]+)['"]/gm)];
    for (const [, typeOnly, specifier] of statements) if (!typeOnly) expect(specifier).toMatch(PURE_DIRS);
  });

  it('loads the connection pool only on demand, for multiplex', () => {
    const wrap = readFileSync('src/wrap/wrap-spawn.ts', 'utf8');
    expect(wrap).toMatch(/await import\('\.\.\/pool\/index\.js'\)/);
    expect(wrap).not.toMatch(/^import [^t][^;]*pool/m);
  });
});
