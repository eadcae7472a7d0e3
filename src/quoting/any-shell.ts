// Characters every login shell we support (sh, dash, bash, zsh, ksh/mksh, busybox ash, fish,
// tcsh/csh) keeps literally inside single quotes. Left out: `'` (ends the quote), `\` (fish
// collapses `\\`), `!` (csh history), backtick (csh), `%` (printf format), and anything outside
// printable ASCII (tcsh and some locales reinterpret it; newline breaks csh quoting).
const NEUTRAL = /[A-Za-z0-9 #$&()*+,\-./:;<=>?@[\]^_{|}~"]/;

const NOT_NEUTRAL_RUN = /[^A-Za-z0-9 #$&()*+,\-./:;<=>?@[\]^_{|}~"]+/g;

const encoder = new TextEncoder();

const BYTE_TO_FORMAT: readonly string[] = Array.from({ length: 256 }, (_, byte) => {
  const char = String.fromCharCode(byte);
  return byte < 0x80 && NEUTRAL.test(char) ? char : `\\${byte.toString(8).padStart(3, '0')}`;
});

/**
 * Encodes a script as a `printf` format string that contains only characters every login shell
 * leaves untouched inside single quotes. `printf "$fmt"` in any POSIX sh reproduces the script's
 * UTF-8 bytes exactly: neutral bytes stand for themselves, every other byte is a `\ooo` octal
 * escape (POSIX printf format syntax). A leading `-` is escaped too, so printf never sees an option.
 *
 * Mostly-ASCII scripts grow by a few percent; a byte outside the neutral set costs 4 bytes.
 *
 * @example
 * ```ts
 * encodeForAnyShell("echo 'hi'\n"); // => echo \047hi\047\012
 * ```
 */
export function encodeForAnyShell(script: string): string {
  // Runs of neutral characters are copied by the regex engine; only the rest is encoded.
  const encoded = script.replace(NOT_NEUTRAL_RUN, encodeRun);
  return encoded.charCodeAt(0) === 0x2d ? `\\055${encoded.slice(1)}` : encoded;
}

function encodeRun(run: string): string {
  let out = '';
  for (let index = 0; index < run.length; index++) {
    const code = run.charCodeAt(index);
    if (code >= 0x80) {
      // Rare in scripts: let TextEncoder do UTF-8 (surrogate pairs, lone surrogates → U+FFFD).
      for (const byte of encoder.encode(run.slice(index))) out += BYTE_TO_FORMAT[byte];
      return out;
    }
    out += BYTE_TO_FORMAT[code];
  }
  return out;
}

/** UTF-8 length of a string, as the kernel will count it in an argv. */
export function utf8Length(value: string): number {
  // Counted, not encoded: prompts can be many megabytes and encoding would allocate a copy.
  // A lone surrogate counts 3 bytes, as TextEncoder writes it (U+FFFD).
  let bytes = 0;
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && (value.charCodeAt(index + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      index++;
    } else bytes += 3;
  }
  return bytes;
}
