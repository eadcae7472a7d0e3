/**
 * Quotes one argument the way `CommandLineToArgvW` and the Microsoft C runtime split a command
 * line back into argv (backslashes are literal unless they precede a `"`). Byte-exact for every
 * program that parses its command line with those rules, which is nearly every .exe.
 *
 * @example
 * ```ts
 * quoteWindowsArg('a b');      // => "a b"
 * quoteWindowsArg('say "hi"'); // => "say \"hi\""
 * quoteWindowsArg('C:\\dir\\'); // => C:\dir\   (no quotes needed, backslashes stay literal)
 * ```
 */
export function quoteWindowsArg(value: string): string {
  if (value !== '' && !/[\s"]/.test(value)) return value;
  // Backslashes are doubled only where a quote follows them: before an escaped `"` and before
  // the closing quote.
  const escaped = value.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1');
  return `"${escaped}"`;
}

/**
 * A PowerShell single-quoted string literal: only `'` is special inside it (written `''`); the
 * typographic quotes PowerShell also treats as quote characters are doubled too.
 *
 * @example
 * ```ts
 * quotePowerShell("it's $env:PATH"); // => 'it''s $env:PATH'
 * ```
 */
export function quotePowerShell(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, '$&$&')}'`;
}

/**
 * Base64 of the UTF-16LE bytes of `script`: the format `powershell -EncodedCommand` expects.
 *
 * @example
 * ```ts
 * encodePowerShellCommand('exit 3'); // => 'ZQB4AGkAdAAgADMA'
 * ```
 */
export function encodePowerShellCommand(script: string): string {
  let binary = '';
  for (let index = 0; index < script.length; index++) {
    const unit = script.charCodeAt(index);
    binary += String.fromCharCode(unit & 0xff, unit >> 8);
  }
  return btoa(binary);
}
