import { noNul, envRecord } from '../schemas/fields.js';
import { parseRemoteCommandSpec, parseValue } from '../schemas/builder-inputs.js';
import { dirWord, exportLine, quotedWords } from './posix-words.js';

/**
 * What {@link buildRemoteCommand} runs.
 *
 * @example
 * ```ts
 * const spec: RemoteCommandSpec = { command: 'claude', args: ['--print'], cwd: '~/app', env: { NODE_ENV: 'production' } };
 * ```
 */
export interface RemoteCommandSpec {
  /** Binary to run on the remote (a name looked up in the remote PATH, or an absolute path); never starting with `-`. */
  command: string;
  /** Its arguments, byte-exact (no NUL). */
  args: readonly string[];
  /** Remote working directory; `~`, `~/x` and `~user/x` are expanded by the remote shell. `''` or absent: no `cd`. */
  cwd?: string | undefined;
  /** Variables to export before running the command; names match `[A-Za-z_][A-Za-z0-9_]*`. */
  env?: Readonly<Record<string, string>> | undefined;
}

const DIR = noNul('dir');
const ENV = envRecord('env');

/**
 * A shell word for a remote directory that keeps `~` meaningful: `~` and `~/x` become
 * `"$HOME"/'x'` (so a $HOME with spaces still works), `~user/x` keeps the bare tilde prefix so
 * the remote shell expands it, and everything else is quoted literally. A leading `-` gets `./`
 * so `cd` cannot read it as an option.
 *
 * @throws {SshWrapError} `UNSAFE_ARGUMENT` (`field: 'dir'`) for a NUL byte.
 * @example
 * ```ts
 * remoteDirWord('~/src/my app'); // => "$HOME"/'src/my app'
 * ```
 */
export function remoteDirWord(dir: string): string {
  return dirWord(parseValue(DIR, dir, 'dir'));
}

/**
 * `export A='1' B='2'`, or `undefined` for no variables.
 *
 * @throws {SshWrapError} `INVALID_CONFIG` (`field: 'env.<name>'`) for a name outside
 *   `[A-Za-z_][A-Za-z0-9_]*`, `UNSAFE_ARGUMENT` for a NUL byte in a value.
 * @example
 * ```ts
 * exportStatement({ A: '1', B: 'x y' }); // => "export A=1 B='x y'"
 * ```
 */
export function exportStatement(env: Readonly<Record<string, string>> | undefined): string | undefined {
  return exportLine(env === undefined ? undefined : parseValue(ENV, env, 'env'));
}

/**
 * The command and its arguments as quoted POSIX words.
 *
 * @throws {SshWrapError} `UNSAFE_ARGUMENT` for a command starting with `-` or a NUL byte
 *   (`field: 'command'` or `'args[<i>]'`), `INVALID_CONFIG` for an empty command.
 * @example
 * ```ts
 * commandWords('printf', ['%s\n', "it's"]); // => "printf '%s\n' 'it'\''s'"
 * ```
 */
export function commandWords(command: string, args: readonly string[]): string {
  const valid = parseRemoteCommandSpec({ command, args });
  return quotedWords(valid.command, valid.args);
}

/**
 * The readable remote command of the reference contract:
 * `cd <cwd> && export K=<v> … && <command> <args…>`, every piece quoted for a POSIX shell.
 *
 * This string is what a POSIX login shell (bash, dash, zsh, ksh, ash) runs unchanged. It is also
 * the display form in {@link SshSpawnWrapResult.remoteCommand}. The default transport sends an
 * encoded script instead, which is byte-exact under fish and tcsh too.
 *
 * @throws {SshWrapError} `INVALID_CONFIG` (an empty command, an env name outside
 *   `[A-Za-z_][A-Za-z0-9_]*`) or `UNSAFE_ARGUMENT` (a NUL byte anywhere, a command starting
 *   with `-`), with `field` naming the value; nothing is built.
 * @example
 * ```ts
 * buildRemoteCommand({ command: 'claude', args: ['--print', 'hi $USER'], cwd: '/srv/app', env: { NODE_ENV: 'production' } });
 * // => "cd /srv/app && export NODE_ENV=production && claude --print 'hi $USER'"
 * ```
 */
export function buildRemoteCommand(spec: RemoteCommandSpec): string {
  const valid = parseRemoteCommandSpec(spec);
  const parts: string[] = [];
  if (valid.cwd !== undefined && valid.cwd !== '') parts.push(`cd ${dirWord(valid.cwd)}`);
  const exported = exportLine(valid.env);
  if (exported) parts.push(exported);
  parts.push(quotedWords(valid.command, valid.args));
  return parts.join(' && ');
}
