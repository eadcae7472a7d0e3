import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeForAnyShell, utf8Length } from '../../src/quoting/index.js';
import { NON_ASCII, SHELL_METACHARACTERS, shellString } from '../arbitraries.js';

const noNul = fc.string({ unit: 'binary' }).map((s) => s.replace(/\u0000/g, ''));
const hostile = fc.oneof(shellString(), noNul);

// Every login shell the remote bootstrap meets; .ci/run installs all of them. csh and tcsh
// expand `!` even inside single quotes, fish turns `\\` into `\`, and a `'` ends the quote in all.
const LOGIN_SHELLS = ['/bin/sh', 'bash', 'zsh', 'mksh', 'busybox ash', 'fish', 'tcsh', 'csh'];

/**
 * Bytes printed when a login shell runs what remote-script.ts sends for each value: the encoded
 * format inside single quotes, handed to `/bin/sh`'s printf. One shell process for all values;
 * a NUL (encoded like any other byte) ends each value's output.
 */
function printThroughLoginShell(shell: string, values: readonly string[]): Buffer[] {
  const [program, ...args] = shell.split(' ');
  const script = values.map((value) => `/bin/sh -c 'printf "$1"' sshwrap '${encodeForAnyShell(`${value}\0`)}'`).join('; ');
  const result = spawnSync(program!, [...args, '-c', script]);
  expect(result.stderr.toString()).toBe('');
  expect(result.status).toBe(0);
  const outputs: Buffer[] = [];
  let from = 0;
  for (let nul = result.stdout.indexOf(0); nul >= 0; nul = result.stdout.indexOf(0, from)) {
    outputs.push(result.stdout.subarray(from, nul));
    from = nul + 1;
  }
  return outputs;
}

const utf8 = (values: readonly string[]) => values.map((value) => Buffer.from(value, 'utf8'));

describe('encodeForAnyShell', () => {
  it('uses only characters that every login shell keeps literal inside single quotes', () => {
    fc.assert(
      fc.property(hostile, (value) => {
        expect(encodeForAnyShell(value)).toMatch(/^[A-Za-z0-9 #$&()*+,\-./:;<=>?@[\]^_{|}~"\\]*$/);
        expect(encodeForAnyShell(value)).not.toMatch(/[!'`%\n]/);
        // A backslash only ever starts a 3-digit octal escape, so fish never sees `\\` or a trailing `\`.
        expect(encodeForAnyShell(value).replace(/\\[0-7]{3}/g, '')).not.toContain('\\');
      }),
      { numRuns: 500, seed: 0x5badc0de },
    );
  });

  it('writes the documented octal escapes', () => {
    expect(encodeForAnyShell("echo 'hi'\n")).toBe('echo \\047hi\\047\\012');
    expect(encodeForAnyShell('!%\\`\t\r')).toBe('\\041\\045\\134\\140\\011\\015');
    expect(encodeForAnyShell('é')).toBe('\\303\\251');
  });

  it('encodes U+0080 and everything above as UTF-8, not as its code unit', () => {
    expect(encodeForAnyShell('\u007f')).toBe('\\177');
    expect(encodeForAnyShell('\u0080')).toBe('\\302\\200');
    // After a non-ASCII character the rest of the run is UTF-8 encoded too, ASCII included.
    expect(encodeForAnyShell('\u0080!é\'')).toBe('\\302\\200\\041\\303\\251\\047');
    expect(encodeForAnyShell('😀\ud800')).toBe('\\360\\237\\230\\200\\357\\277\\275');
  });

  it('escapes a leading dash so printf never reads an option', () => {
    expect(encodeForAnyShell('-n x')).toBe('\\055n x');
    expect(encodeForAnyShell('-')).toBe('\\055');
    expect(encodeForAnyShell('a-b')).toBe('a-b');
    expect(encodeForAnyShell('')).toBe('');
  });

  it.each(LOGIN_SHELLS)('every metacharacter and non-ASCII unit survives %s as a login shell', (shell) => {
    const values = [...SHELL_METACHARACTERS, ...NON_ASCII].flatMap((char) => [char, `a${char}b`, `${char}${char}`]);
    values.push('\\\\\\', '%s%d%%', '\\0101', '\\n', "'\\''", '!!', '!$', '~root', '-n', '--', '\\c', 'a\\');
    expect(printThroughLoginShell(shell, values)).toEqual(utf8(values));
  });

  it.each(LOGIN_SHELLS)('property: hostile strings survive %s byte-exact', (shell) => {
    fc.assert(
      fc.property(fc.array(hostile, { minLength: 1, maxLength: 12 }), (values) => {
        // Bytes, not decoded text: a wrong byte must not hide behind U+FFFD.
        expect(printThroughLoginShell(shell, values)).toEqual(utf8(values));
      }),
      { numRuns: 20, seed: 0x5badc0de },
    );
  });
});

describe('utf8Length', () => {
  it('counts UTF-8 bytes the way the kernel does', () => {
    expect(utf8Length('aé😀')).toBe(1 + 2 + 4);
  });

  it.each([
    ['\u007f', 1],
    ['\u0080', 2],
    ['\u07ff', 2],
    ['\u0800', 3],
    ['\ud7ff', 3],
    ['\ud800\udc00', 4],
    ['\udbff\udfff', 4],
    // Lone surrogates become U+FFFD (3 bytes), wherever they stand.
    ['\ud800', 3],
    ['\ud800a', 4],
    ['\udbff\ud800', 6],
    ['\udc00\ud800', 6],
    ['\udc00', 3],
    // Only a high surrogate opens a pair: a BMP character before a lone low surrogate does not.
    ['中\udc00', 6],
    ['\ue000', 3],
  ])('%j is %i bytes', (value, bytes) => {
    expect(utf8Length(value)).toBe(bytes);
    expect(Buffer.byteLength(value, 'utf8')).toBe(bytes);
  });

  it('property: agrees with Buffer.byteLength', () => {
    fc.assert(
      fc.property(fc.oneof(hostile, fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })), (value) => {
        expect(utf8Length(value)).toBe(Buffer.byteLength(value, 'utf8'));
      }),
      { numRuns: 1000, seed: 0x5badc0de },
    );
  });
});
