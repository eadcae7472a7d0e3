import fc from 'fast-check';

/**
 * Characters that some shell, `printf`, or UTF-8 encoder treats specially. `fc.string()` almost
 * never draws them (500 samples of `unit: 'binary'` held none of `! % \ ' $ "` or a backtick), so
 * a quoting bug on any one of them went unnoticed by the property tests.
 */
export const SHELL_METACHARACTERS: readonly string[] = Object.freeze([
  // Quoting and escaping: single quotes end a quote, fish collapses `\\`, printf reads `\` and `%`.
  "'",
  '\\',
  '"',
  '%',
  // Expansion: parameters, commands, history (csh, interactive bash/zsh), tildes, globs, braces.
  '$',
  '`',
  '!',
  '~',
  '*',
  '?',
  '[',
  ']',
  '{',
  '}',
  // Syntax: comments, separators, pipes, redirections, subshells, assignments.
  '#',
  ';',
  '&',
  '|',
  '<',
  '>',
  '(',
  ')',
  '=',
  // Word splitting and line structure: csh quoting breaks on a newline, CR survives into the word.
  ' ',
  '\t',
  '\n',
  '\r',
  // Option-looking words.
  '-',
]);

/**
 * Non-ASCII text, including the UTF-8 length boundaries (1/2/3/4 bytes) and lone surrogates, which
 * have no UTF-8 form: TextEncoder and argv both turn them into U+FFFD.
 */
export const NON_ASCII: readonly string[] = Object.freeze([
  '\u007f',
  '\u0080',
  'é',
  '\u07ff',
  '\u0800',
  '中',
  '\uffff',
  '😀',
  '\u{10ffff}',
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
]);

const LETTERS = fc.constantFrom('a', 'b', 'x', 'Z', '0', '9', '_', '.', '/', ':', '@', '+', ',');

const shellUnit = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SHELL_METACHARACTERS) },
  { weight: 3, arbitrary: LETTERS },
  { weight: 2, arbitrary: fc.constantFrom(...NON_ASCII) },
  // Anything else, so the bias does not hide a character nobody thought of.
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);

/**
 * Strings that are hostile to shell quoting: mostly shell metacharacters, with ordinary letters
 * between them (so `$HOME`-like and `a'b` shapes occur), non-ASCII, lone surrogates, and a
 * leading `-` or `~` now and then (only special at the start of a word). Never NUL: no shell word
 * or argv can hold it, and the schemas refuse it before quoting.
 */
export function shellString(constraints: { maxLength?: number } = {}): fc.Arbitrary<string> {
  const body = fc.string({ unit: shellUnit, maxLength: constraints.maxLength ?? 24 });
  return fc
    .tuple(fc.constantFrom('', '', '', '-', '--', '~', '~/'), body)
    .map(([lead, rest]) => (lead + rest).replace(/\u0000/g, ''));
}
