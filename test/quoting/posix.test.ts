import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quotePosix } from '../../src/quoting/index.js';

const noNul = fc.string({ unit: 'binary' }).map((s) => s.replace(/\u0000/g, ''));
// Lone surrogates have no UTF-8 form; Node turns them into U+FFFD on any argv, so compare that.
const wellFormed = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

function shPrintf(word: string): string {
  const result = spawnSync('/bin/sh', ['-c', `printf %s ${word}`], { encoding: 'utf8' });
  expect(result.status).toBe(0);
  return result.stdout;
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

  it('round-trips adversarial strings through /bin/sh byte-exact', () => {
    for (const value of ["'", "''", "'\\''", '$HOME', '`id`', '$(id)', 'a\nb\n', '\\', '-n', '!x', 'ünï😀', '\t', '*', '~', '"', '%s']) {
      expect(shPrintf(quotePosix(value))).toBe(value);
    }
  });

  it('property: sh -c "printf %s <quoted>" prints the string exactly', () => {
    fc.assert(
      fc.property(noNul, (value) => {
        expect(shPrintf(quotePosix(value))).toBe(wellFormed(value));
      }),
      { numRuns: 300 },
    );
  });
});
