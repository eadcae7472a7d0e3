import { quotePosix } from '../quoting/index.js';

/** What {@link buildRemoteCommand} runs. */
export interface RemoteCommandSpec {
  /** Binary to run on the remote (a name looked up in the remote PATH, or an absolute path). */
  command: string;
  /** Its arguments, byte-exact. */
  args: readonly string[];
  /** Remote working directory; `~`, `~/x` and `~user/x` are expanded by the remote shell. */
  cwd?: string | undefined;
  /** Variables to export before running the command. */
  env?: Readonly<Record<string, string>> | undefined;
}

const TILDE_PREFIX = /^~([A-Za-z_][A-Za-z0-9._-]*)?(?=\/|$)/;

/**
 * A shell word for a remote directory that keeps `~` meaningful: `~` and `~/x` become
 * `"$HOME"/'x'` (so a $HOME with spaces still works), `~user/x` keeps the bare tilde prefix so
 * the remote shell expands it, and everything else is quoted literally. A leading `-` gets `./`
 * so `cd` cannot read it as an option.
 *
 * @example
 * ```ts
 * remoteDirWord('~/src/my app'); // => "$HOME"/'src/my app'
 * ```
 */
export function remoteDirWord(dir: string): string {
  const tilde = TILDE_PREFIX.exec(dir);
  if (tilde) {
    const prefix = tilde[1] ? `~${tilde[1]}` : '"$HOME"';
    const rest = dir.slice(tilde[0].length);
    return rest ? prefix + quotePosix(rest) : prefix;
  }
  return quotePosix(dir.startsWith('-') ? `./${dir}` : dir);
}

/** `export A='1' B='2'`, or `undefined` for no variables. */
export function exportStatement(env: Readonly<Record<string, string>> | undefined): string | undefined {
  const entries = Object.entries(env ?? {});
  if (entries.length === 0) return undefined;
  return `export ${entries.map(([name, value]) => `${name}=${quotePosix(value)}`).join(' ')}`;
}

/** The command and its arguments as quoted POSIX words. */
export function commandWords(command: string, args: readonly string[]): string {
  return [command, ...args].map(quotePosix).join(' ');
}

/**
 * The readable remote command of the reference contract:
 * `cd <cwd> && export K=<v> … && <command> <args…>`, every piece quoted for a POSIX shell.
 *
 * This string is what a POSIX login shell (bash, dash, zsh, ksh, ash) runs unchanged. It is also
 * the display form in {@link SshSpawnWrapResult.remoteCommand}. The default transport sends an
 * encoded script instead, which is byte-exact under fish and tcsh too.
 *
 * @example
 * ```ts
 * buildRemoteCommand({ command: 'claude', args: ['--print', 'hi $USER'], cwd: '/srv/app', env: { NODE_ENV: 'production' } });
 * // => "cd /srv/app && export NODE_ENV=production && claude --print 'hi $USER'"
 * ```
 */
export function buildRemoteCommand(spec: RemoteCommandSpec): string {
  const parts: string[] = [];
  if (spec.cwd !== undefined && spec.cwd !== '') parts.push(`cd ${remoteDirWord(spec.cwd)}`);
  const exported = exportStatement(spec.env);
  if (exported) parts.push(exported);
  parts.push(commandWords(spec.command, spec.args));
  return parts.join(' && ');
}
