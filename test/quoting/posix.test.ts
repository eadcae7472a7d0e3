import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { quotePosix } from '../../src/quoting/index.js';
import { SHELL_METACHARACTERS, shellString } from '../arbitraries.js';

const noNul = fc.string({ unit: 'binary' }).map((s) => s.replace(/\u0000/g, ''));
const hostile = fc.oneof(shellString(), noNul);
// Lone surrogates have no UTF-8 form; Node turns them into U+FFFD on any argv, so compare that.
const wellFormed = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

// The POSIX shells quotePosix promises to serve; .ci/run installs all of them.
const POSIX_SHELLS = ['/bin/sh', 'bash', 'zsh', 'mksh', 'busybox ash'];

function shPrintf(word: string): string {
  const result = spawnSync('/bin/sh', ['-c', `printf %s ${word}`], { encoding: 'utf8' });
  expect(result.status).toBe(0);
  return result.stdout;
}

/** Every value as one quoted word, printed NUL-terminated by a single run of the shell. */
function printWords(shell: string, values: readonly string[]): string[] {
  const [program, ...args] = shell.split(' ');
  const script = `printf '%s\\000' ${values.map(quotePosix).join(' ')}`;
  const result = spawnSync(program!, [...args, '-c', script], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout.split('\0').slice(0, -1);
}

describe('quotePosix', () => {
  it('leaves plain words bare and quotes everything else', () => {
    expect(quotePosix('--print')).toBe('--print');
    expect(quotePosix('/usr/local/bin/claude')).toBe('/usr/local/bin/claude');
    expect(quotePosix('')).toBe("''");
    expect(quotePosix("it's")).toBe(`'it'\\''s'`);
    expect(quotePosix('A=b')).toBe(`'A=b'`);
    expect(quotePosix('~/x')).toBe(`'~/x'`);
    expect(quotePosix('a b')).toBe(`'a b'`);
  });

  it('quotes the whole word when only a prefix or a suffix of it is plain', () => {
    expect(quotePosix('x y')).toBe(`'x y'`);
    expect(quotePosix('$x')).toBe(`'$x'`);
    expect(quotePosix('x$')).toBe(`'x$'`);
  });

  it('round-trips adversarial strings through /bin/sh byte-exact', () => {
    for (const value of ["'", "''", "'\\''", '$HOME', '`id`', '$(id)', 'a\nb\n', '\\', '-n', '!x', 'ünï😀', '\t', '*', '~', '"', '%s']) {
      expect(shPrintf(quotePosix(value))).toBe(value);
    }
  });

  it.each(POSIX_SHELLS)('every metacharacter alone and between letters survives %s', (shell) => {
    const values = SHELL_METACHARACTERS.flatMap((char) => [char, `a${char}b`, `${char}${char}`]);
    expect(printWords(shell, values)).toEqual(values);
  });

  it.each(POSIX_SHELLS)('property: hostile words survive %s byte-exact', (shell) => {
    fc.assert(
      fc.property(fc.array(hostile, { minLength: 1, maxLength: 20 }), (values) => {
        expect(printWords(shell, values)).toEqual(values.map(wellFormed));
      }),
      { numRuns: 25, seed: 0x5badc0de },
    );
  });

  describe('in command position (buildRemoteCommand puts the program name first)', () => {
    const bin = mkdtempSync(path.join(tmpdir(), 'sshwrap-quote-'));
    writeFileSync(path.join(bin, '!'), '#!/bin/sh\nprintf "ran %s" "$1"\n');
    chmodSync(path.join(bin, '!'), 0o755);
    afterAll(() => rmSync(bin, { recursive: true, force: true }));

    // A bare `!` starts a negated pipeline instead of naming a program: `! arg` runs `arg`.
    it.each(POSIX_SHELLS)('a program named "!" is run, not read as pipeline negation, by %s', (shell) => {
      const [program, ...args] = shell.split(' ');
      const result = spawnSync(program!, [...args, '-c', `${quotePosix('!')} ${quotePosix('x')}`], {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${bin}:/usr/bin:/bin` },
      });
      expect(result.stdout).toBe('ran x');
    });
  });
});
