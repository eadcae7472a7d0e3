import { quotePosix } from '../quoting/index.js';

// The POSIX shell words of a remote command. No checks here: the exported builders validate
// their whole input once (src/schemas/builder-inputs.ts) and then call these.

const TILDE_PREFIX = /^~([A-Za-z_][A-Za-z0-9._-]*)?(?=\/|$)/;

/** See `remoteDirWord`; `dir` must be validated (no NUL). @internal */
export function dirWord(dir: string): string {
  const tilde = TILDE_PREFIX.exec(dir);
  if (tilde) {
    const prefix = tilde[1] ? `~${tilde[1]}` : '"$HOME"';
    const rest = dir.slice(tilde[0].length);
    return rest ? prefix + quotePosix(rest) : prefix;
  }
  return quotePosix(dir.startsWith('-') ? `./${dir}` : dir);
}

/** See `exportStatement`; names must be valid env names, values without NUL. @internal */
export function exportLine(env: Readonly<Record<string, string>> | undefined): string | undefined {
  const entries = Object.entries(env ?? {});
  if (entries.length === 0) return undefined;
  return `export ${entries.map(([name, value]) => `${name}=${quotePosix(value)}`).join(' ')}`;
}

/** See `commandWords`; the command must not start with `-`, nothing may contain NUL. @internal */
export function quotedWords(command: string, args: readonly string[]): string {
  return [command, ...args].map(quotePosix).join(' ');
}
