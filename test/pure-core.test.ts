import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

// The pure core (`sshwrap/core`): data in, data out. Everything local (home dir, platform, ssh
// path) is passed in by the layers above, so the core runs anywhere and is tested without I/O.
const PURE_DIRS = ['src/errors', 'src/schemas', 'src/quoting', 'src/wrap'];
const PURE_FILES = ['src/core.ts'];
const IO = /^(node:)?(child_process|fs|fs\/promises|os|net|http|https|tls|dgram|worker_threads|cluster|readline|process)$/;

function files(path: string): string[] {
  if (statSync(path).isFile()) return [path];
  return readdirSync(path).flatMap((name) => files(join(path, name)));
}

/** Every module specifier a file imports or re-exports, type-only ones included. */
function specifiers(source: string): string[] {
  return [...source.matchAll(/^(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|^import\s+['"]([^'"]+)['"]/gm)].map((match) => match[1] ?? match[2]!);
}

/** Source without comments and string contents, so a docstring that says `process.env` does not count. */
function code(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '').replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''");
}

const sources = [...PURE_DIRS.flatMap(files), ...PURE_FILES].filter((file) => file.endsWith('.ts'));

describe('pure core', () => {
  it('has sources to check', () => {
    expect(sources.length).toBeGreaterThan(20);
  });

  it.each(sources)('%s imports no I/O module', (file) => {
    for (const specifier of specifiers(readFileSync(file, 'utf8'))) expect(specifier).not.toMatch(IO);
  });

  it.each(sources)('%s imports only the pure core (type-only imports too) and zod', (file) => {
    for (const specifier of specifiers(readFileSync(file, 'utf8'))) {
      if (!specifier.startsWith('.')) {
        expect(specifier).toMatch(/^zod(\/|$)/);
        continue;
      }
      const target = normalize(join(dirname(file), specifier));
      expect(PURE_DIRS.some((dir) => target.startsWith(`${dir}/`)) || PURE_FILES.includes(target.replace(/\.js$/, '.ts')), `${file} → ${specifier}`).toBe(true);
    }
  });

  it.each(sources)('%s has no dynamic import, require or process read', (file) => {
    const text = code(readFileSync(file, 'utf8'));
    expect(text).not.toMatch(/\bimport\s*\(/);
    expect(text).not.toMatch(/\brequire\s*\(/);
    expect(text).not.toMatch(/\bprocess\s*[.[?]/);
    expect(text).not.toMatch(/globalThis\s*\.\s*process/);
  });

  it('the check itself catches each kind of impurity', () => {
    expect(specifiers("import { spawn } from 'node:child_process';")).toEqual(['node:child_process']);
    expect(specifiers("import type { Lease } from '../pool/index.js';")).toEqual(['../pool/index.js']);
    expect(code('const p = globalThis.process?.platform;')).toMatch(/globalThis\s*\.\s*process/);
    expect(code("const m = await import('../pool/index.js');")).toMatch(/\bimport\s*\(/);
    expect(code('// process.env is read by the caller')).not.toMatch(/\bprocess\s*[.[?]/);
  });
});
