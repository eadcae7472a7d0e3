import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeForAnyShell, utf8Length } from '../../src/quoting/index.js';

const noNul = fc.string({ unit: 'binary' }).map((s) => s.replace(/\u0000/g, ''));
const wellFormed = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

describe('encodeForAnyShell', () => {
  it('uses only characters that every login shell keeps literal inside single quotes', () => {
    fc.assert(
      fc.property(noNul, (value) => {
        expect(encodeForAnyShell(value)).toMatch(/^[A-Za-z0-9 #$&()*+,\-./:;<=>?@[\]^_{|}~"\\]*$/);
        expect(encodeForAnyShell(value)).not.toMatch(/[!'`%\n]/);
        // A backslash only ever starts a 3-digit octal escape, so fish never sees `\\` or a trailing `\`.
        expect(encodeForAnyShell(value).replace(/\\[0-7]{3}/g, '')).not.toContain('\\');
      }),
      { numRuns: 500 },
    );
  });

  it('escapes a leading dash so printf never reads an option', () => {
    expect(encodeForAnyShell('-n x')).toBe('\\055n x');
    expect(encodeForAnyShell('a-b')).toBe('a-b');
  });

  it('property: printf "$fmt" in /bin/sh reproduces the UTF-8 bytes exactly', () => {
    fc.assert(
      fc.property(noNul, (value) => {
        const result = spawnSync('/bin/sh', ['-c', 'printf "$1"', 'sh', encodeForAnyShell(value)]);
        expect(result.status).toBe(0);
        // Bytes, not decoded text: a wrong byte must not hide behind U+FFFD.
        expect(result.stdout.equals(Buffer.from(value, 'utf8'))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('counts UTF-8 bytes the way the kernel does', () => {
    expect(utf8Length('aé😀')).toBe(1 + 2 + 4);
  });
});
