// Words made only of these characters mean the same quoted or not in every POSIX shell.
// `=` is left out on purpose: an unquoted `A=b` in command position is an assignment.
const BARE_WORD = /^[A-Za-z0-9_@%+,./:-]+$/;

/**
 * Quotes a string as exactly one POSIX shell word: `sh -c "printf %s " + quotePosix(s)` prints
 * `s` byte for byte, whatever it contains (`$`, backticks, quotes, newlines, unicode, leading `-`).
 *
 * Words that cannot be misread are returned bare for readability; everything else is wrapped in
 * single quotes, with each `'` written as `'\''`. NUL cannot be represented in a shell word, so
 * callers validate it away first (the schemas refuse NUL).
 *
 * This is for POSIX shells (sh, dash, bash, zsh, ksh, ash). fish and tcsh read single quotes
 * differently; the remote bootstrap never hands them a quoted word (see `encodeForAnyShell`).
 *
 * shell-quote's `quote()` is not used here: it backslash-escapes instead of single-quoting,
 * which is not byte-exact for newlines.
 *
 * @example
 * ```ts
 * quotePosix("it's $HOME"); // => 'it'\''s $HOME'
 * quotePosix('--print');    // => --print
 * ```
 */
export function quotePosix(value: string): string {
  if (BARE_WORD.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
