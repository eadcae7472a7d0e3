import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodePowerShellCommand, quotePowerShell, quoteWindowsArg } from '../../src/quoting/index.js';
import { shellString } from '../arbitraries.js';

/** CommandLineToArgvW's rules for arguments after the program name (as documented by Microsoft). */
function parseWindowsCommandLine(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) break;
    let arg = '';
    let quoted = false;
    for (; i < line.length; i++) {
      const c = line[i]!;
      if (c === '\\') {
        let n = 0;
        while (line[i] === '\\') (n++, i++);
        if (line[i] === '"') {
          arg += '\\'.repeat(Math.floor(n / 2));
          if (n % 2 === 1) arg += '"';
          else {
            if (quoted && line[i + 1] === '"') (arg += '"', i++);
            else quoted = !quoted;
          }
        } else {
          arg += '\\'.repeat(n);
          i--;
        }
      } else if (c === '"') {
        if (quoted && line[i + 1] === '"') (arg += '"', i++);
        else quoted = !quoted;
      } else if ((c === ' ' || c === '\t') && !quoted) break;
      else arg += c;
    }
    args.push(arg);
  }
  return args;
}

describe('quoteWindowsArg', () => {
  it.each([
    ['plain', 'plain'],
    ['', '""'],
    ['a b', '"a b"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['C:\\dir\\', 'C:\\dir\\'],
    ['C:\\my dir\\', '"C:\\my dir\\\\"'],
    ['a\\"b', '"a\\\\\\"b"'],
  ])('%j → %s', (value, quoted) => {
    expect(quoteWindowsArg(value)).toBe(quoted);
  });

  it('property: CommandLineToArgvW splits the joined line back into the same argv', () => {
    // Runs of backslashes before a quote are what CommandLineToArgvW is picky about.
    const windowsText = fc.string({ unit: fc.constantFrom('a', ' ', '\t', '"', '\\', 'é', '%', '^', '&', '😀') });
    const text = fc.oneof(windowsText, shellString());
    fc.assert(
      fc.property(fc.array(text, { maxLength: 6 }), (argv) => {
        expect(parseWindowsCommandLine(argv.map(quoteWindowsArg).join(' '))).toEqual(argv);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('PowerShell encoding', () => {
  it('quotes single-quoted literals by doubling quote characters', () => {
    expect(quotePowerShell("it's")).toBe("'it''s'");
    expect(quotePowerShell('$env:X `n "q"')).toBe(`'$env:X \`n "q"'`);
    expect(quotePowerShell('\u2019')).toBe("'\u2019\u2019'");
  });

  it('encodes -EncodedCommand as base64 of UTF-16LE, exactly', () => {
    expect(encodePowerShellCommand('exit 3')).toBe('ZQB4AGkAdAAgADMA');
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), shellString()), (script) => {
        const wellFormed = Buffer.from(script, 'utf16le').toString('utf16le');
        expect(Buffer.from(encodePowerShellCommand(script), 'base64').toString('utf16le')).toBe(wellFormed);
      }),
      { numRuns: 300 },
    );
  });
});
