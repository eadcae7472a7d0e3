import { z } from 'zod';
import { encodeForAnyShell } from '../quoting/index.js';
import { parseRemoteScriptSpec, parseValue } from '../schemas/builder-inputs.js';
import { noNul } from '../schemas/fields.js';
import { dirWord, exportLine, quotedWords } from './posix-words.js';
import type { RemoteCommandSpec } from './remote-command.js';
import { remotePathLines, type RemotePathMode } from './remote-path.js';

/** Events the remote script reports on stderr when a {@link RemoteScriptSpec.statusMarker} is set. */
export type RemoteScriptEvent = 'pid' | 'cwd-missing' | 'not-found' | 'started' | 'exit' | 'stdin-missing';

/** Everything the remote POSIX script does, in order. */
export interface RemoteScriptSpec extends RemoteCommandSpec {
  /** PATH handling, see {@link RemotePathMode}. @default 'augment' */
  remotePath?: RemotePathMode | undefined;
  /**
   * Names of variables whose values arrive on stdin, one encoded line each, before anything else
   * (see {@link encodeSecretLines}). They never appear in the script or on any command line.
   * Each matches `[A-Za-z_][A-Za-z0-9_]*`.
   */
  stdinEnvNames?: readonly string[] | undefined;
  /** `'null'` gives the command /dev/null as stdin (nothing to read, never waits). @default 'inherit' */
  commandStdin?: 'inherit' | 'null' | undefined;
  /**
   * A token (`[A-Za-z0-9_-]+`). When set, the script writes `\n<token>:<event>[:<data>]\n` lines
   * to stderr (pid, cwd-missing, not-found, started, exit:<status>) and runs the command as a
   * child instead of exec'ing it, so the caller can tell ssh's failures from the command's own.
   */
  statusMarker?: string | undefined;
  /**
   * Also write {@link stdoutFrameLine} to stdout before anything else, so a reader can tell what
   * the login shell and its startup files printed (everything before it) from the command's own
   * output (everything after it). Needs `statusMarker`: the stderr side is framed by the first
   * status marker. @default false
   */
  frameOutput?: boolean | undefined;
}

const SCRIPT = noNul('script');
// `$(printf ...)` on the remote drops NUL bytes, so a value holding one would arrive changed.
const SECRET_VALUES = z.array(noNul('values[]'));

/** The stderr line the script writes for `event` (exactly what a parser should strip). */
export function markerLine(token: string, event: RemoteScriptEvent, data?: string | number): string {
  return `\n${token}:${event}${data === undefined ? '' : `:${data}`}\n`;
}

/**
 * The line the script writes to stdout first when {@link RemoteScriptSpec.frameOutput} is set:
 * bytes before it came from the login shell (rc files, motd-like scripts), bytes after it from the
 * command. The leading newline keeps it findable after noise without a trailing newline.
 *
 * @example
 * ```ts
 * stdoutFrameLine('sw1f2e'); // '\nsw1f2e:stdout\n'
 * ```
 */
export function stdoutFrameLine(token: string): string {
  return `\n${token}:stdout\n`;
}

function markStatement(token: string | undefined, event: RemoteScriptEvent, data = ''): string[] {
  if (token === undefined) return [];
  return [`printf '\\n%s%s\\n' '${token}:${event}' ${data || "''"} >&2`];
}

/**
 * The remote POSIX sh script: read stdin-delivered env, set PATH, `cd`, export env, run the
 * command. Every value is a quoted word; nothing depends on the login shell.
 *
 * @throws {SshWrapError} `INVALID_CONFIG` (an empty command, an env or stdinEnvNames name outside
 *   `[A-Za-z_][A-Za-z0-9_]*`) or `UNSAFE_ARGUMENT` (a NUL byte anywhere, a command starting with
 *   `-`, a statusMarker outside `[A-Za-z0-9_-]+`), with `field` naming the value; nothing is built.
 * @example
 * ```ts
 * buildRemoteScript({ command: 'claude', args: ['--print', 'hi'], cwd: '~/app', remotePath: 'inherit' });
 * // cd "$HOME"/app || exit 1
 * // exec claude --print hi
 * ```
 */
export function buildRemoteScript(input: RemoteScriptSpec): string {
  const spec = parseRemoteScriptSpec(input);
  const token = spec.statusMarker;
  const lines: string[] = [];
  if (spec.frameOutput) lines.push(`printf '\\n%s\\n' '${token}:stdout'`);
  lines.push(...markStatement(token, 'pid', ':"$$"'));
  for (const name of spec.stdinEnvNames ?? []) {
    // `printf x` then `%x` keeps trailing newlines that $(...) would strip from the value.
    lines.push(
      `IFS= read -r __sw_l || { ${[...markStatement(token, 'stdin-missing'), "echo 'sshwrap: expected env values on stdin' >&2"].join('; ')}; exit 1; }`,
      `${name}=$(printf "$__sw_l"; printf x); ${name}=\${${name}%x}; export ${name}`,
    );
  }
  lines.push(...remotePathLines(spec.remotePath));
  if (spec.cwd !== undefined && spec.cwd !== '') {
    lines.push(`cd ${dirWord(spec.cwd)} || { ${[...markStatement(token, 'cwd-missing'), 'exit 1'].join('; ')}; }`);
  }
  const exported = exportLine(spec.env);
  if (exported) lines.push(exported);
  if (token === undefined) {
    lines.push(`exec ${quotedWords(spec.command, spec.args)}${spec.commandStdin === 'null' ? ' </dev/null' : ''}`);
  } else {
    // sh reports a child killed by a signal ("Killed") on its own stderr, which is the command's
    // stderr too. So this shell's stderr goes to /dev/null for good (dash and bash print the
    // notice at different times) and the original stays on fd 4. The command gets it back inside
    // a subshell that execs it: the notice, if any, is then printed by this shell, into /dev/null.
    lines.push(
      `command -v ${quotedWords(spec.command, [])} >/dev/null 2>&1 || { ${markStatement(token, 'not-found')[0]}; exit 127; }`,
      ...markStatement(token, 'started'),
      'exec 4>&2 2>/dev/null',
      // `exec` so a name like `echo` runs the binary on PATH, as it does without markers.
      `( exec ${quotedWords(spec.command, spec.args)} 2>&4 4>&-${spec.commandStdin === 'null' ? ' </dev/null' : ''} )`,
      '__sw_s=$?',
      ...markStatement(token, 'exit', ':"$__sw_s"').map((line) => line.replace(/>&2$/, '>&4')),
      'exit "$__sw_s"',
    );
  }
  return lines.join('\n');
}

/**
 * The command handed to the remote login shell: it only starts `/bin/sh` and passes the script
 * as a printf format made of characters every shell (bash, dash, zsh, mksh, ash, fish, tcsh)
 * reads literally inside single quotes. The script is rebuilt byte-exact by printf and run by
 * sh, so fish's backslash rules and tcsh's `!` and newline rules never touch a value.
 *
 * @throws {SshWrapError} `UNSAFE_ARGUMENT` (`field: 'script'`) for a NUL byte: `$(...)` would drop it.
 * @example
 * ```ts
 * anyShellCommand('exec echo hi'); // => exec /bin/sh -c 'eval "$(printf "$1")"' sshwrap 'exec echo hi'
 * ```
 */
export function anyShellCommand(script: string): string {
  return `exec /bin/sh -c 'eval "$(printf "$1")"' sshwrap '${encodeForAnyShell(parseValue(SCRIPT, script, 'script'))}'`;
}

/**
 * Encodes values for {@link RemoteScriptSpec.stdinEnvNames}: one line per value, in the same
 * order, each a printf format of shell-neutral characters ending in `\n`.
 *
 * @throws {SshWrapError} `UNSAFE_ARGUMENT` (`field: 'values[<i>]'`) for a NUL byte.
 * @example
 * ```ts
 * encodeSecretLines(['sk-123\n']); // => 'sk-123\\012\n'
 * ```
 */
export function encodeSecretLines(values: readonly string[]): string {
  return parseValue(SECRET_VALUES, values, 'values').map((value) => `${encodeForAnyShell(value)}\n`).join('');
}
