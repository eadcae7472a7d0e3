import { z } from 'zod';
import { encodeForAnyShell } from '../quoting/index.js';
import { parseRemoteScriptSpec, parseValue } from '../schemas/builder-inputs.js';
import { noNul } from '../schemas/fields.js';
import { dirWord, exportLine, quotedWords } from './posix-words.js';
import type { RemoteCommandSpec } from './remote-command.js';
import { loginEnvironmentLines, loginTimeoutSeconds, type RemoteEnvironment } from './login-env.js';
import { remotePathLines, type RemotePathMode } from './remote-path.js';

/**
 * Events the remote script reports on stderr when a {@link RemoteScriptSpec.statusMarker} is set.
 *
 * @example
 * ```ts
 * const event: RemoteScriptEvent = 'started'; // the command itself is running
 * ```
 */
export type RemoteScriptEvent = 'pid' | 'cwd-missing' | 'not-found' | 'started' | 'exit' | 'stdin-missing' | 'login-timeout' | 'login-failed';

/**
 * Everything the remote POSIX script does, in order.
 *
 * @example
 * ```ts
 * const spec: RemoteScriptSpec = { command: 'claude', args: ['--print'], cwd: '~/app', remotePath: 'augment', statusMarker: 'sw1', frameOutput: true };
 * ```
 */
export interface RemoteScriptSpec extends RemoteCommandSpec {
  /**
   * PATH handling, see {@link RemotePathMode}; applied after the login environment, if any.
   * @default 'augment', or 'inherit' (the login shell's PATH as it is) with `remoteEnvironment` 'login'
   */
  remotePath?: RemotePathMode | undefined;
  /**
   * Run the command in the login shell's environment (see {@link RemoteEnvironment}): captured
   * first, then `stdinEnvNames`, PATH rules, `cwd` and `env` are applied on top of it, so
   * sshwrap's own values always win. @default 'default'
   */
  remoteEnvironment?: RemoteEnvironment | undefined;
  /**
   * Names of variables whose values arrive on stdin, one encoded line each, before anything else
   * (see {@link encodeSecretLines}). They never appear in the script or on any command line.
   * Each matches `[A-Za-z_][A-Za-z0-9_]*`.
   */
  stdinEnvNames?: readonly string[] | undefined;
  /**
   * The command's stdin: `'inherit'` is ssh's stdin after the env lines; `'null'` is /dev/null
   * (nothing to read, never waits); `'framed'` (only with {@link lifeline}) is one block cut from
   * ssh's stdin after the env lines: a line holding its length in bytes (decimal), then exactly
   * that many bytes, handed to the command through a file in a private (0700) directory that is
   * removed as soon as it is open. @default 'inherit'
   */
  commandStdin?: 'inherit' | 'null' | 'framed' | undefined;
  /**
   * Tie the command's life to ssh's stdin: once everything meant for stdin was read, a watcher
   * keeps reading it, and its EOF means the owner is gone (the local ssh or the process feeding
   * it died, or the connection dropped: sshd closes the session's stdin then). The watcher then
   * signals the script's process group (TERM, 1 s later KILL). Needed because sshd does not
   * signal a no-tty command when its connection goes away. The caller must keep ssh's stdin open
   * for the whole run. Needs `commandStdin` `'null'` or `'framed'`. @default false
   */
  lifeline?: boolean | undefined;
  /**
   * A token (`[A-Za-z0-9_-]+`). When set, the script writes `\n<token>:<event>[:<data>]\n` lines
   * to stderr (pid, cwd-missing, not-found, started, exit:<status>) and runs the command as a
   * child instead of exec'ing it, so the caller can tell ssh's failures from the command's own.
   */
  statusMarker?: string | undefined;
  /**
   * Also write `stdoutFrameLine` to stdout before anything else, so a reader can tell what
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
 * The lifeline (see {@link RemoteScriptSpec.lifeline}).
 *
 * Framed stdin first: the length line, then exactly that many bytes copied by `head -c` into a
 * file in a private directory (mktemp -d: 0700), opened on fd 5 and removed at once; a short copy
 * (the owner died mid-prompt) stops here. A file rather than a fifo: the watcher must reach the
 * EOF even when the command never reads its stdin, and a fifo nobody drains would block the copy.
 * `head -c` exists in GNU coreutils, busybox and macOS and never waits for more than the bytes it
 * was asked for (a stdio `head` may read ahead, but nothing follows the block until EOF).
 *
 * Then ssh's stdin moves to fd 3 and a background subshell reads it to EOF and signals this
 * script's process group. `$$` is that group: sshd makes a no-tty session's first process a
 * session and group leader (setsid), and the login shell `exec`s this sh. The subshell must read
 * fd 3 explicitly: a non-interactive sh gives an asynchronous list /dev/null as stdin. It ignores
 * TERM (it is in the group it signals) so it can still send KILL to whatever ignored TERM, and its
 * output goes to /dev/null so it never keeps the session's stdout or stderr open. The grace before
 * KILL is 1 s: the owner is gone, and the whole group must be gone within a few seconds. `kill -SIG -PGID`
 * is the spelling dash, busybox ash, bash and mksh all accept.
 */
function lifelineLines(token: string | undefined, framed: boolean): string[] {
  const lines: string[] = [];
  if (framed) {
    const missing = [...markStatement(token, 'stdin-missing'), "echo 'sshwrap: expected a stdin frame' >&2"].join('; ');
    lines.push(
      `IFS= read -r __sw_n || { ${missing}; exit 1; }`,
      `case $__sw_n in ''|*[!0-9]*) ${missing}; exit 1;; esac`,
      `__sw_d=$(umask 077; mktemp -d "\${TMPDIR:-/tmp}/sshwrap.XXXXXX") || { echo 'sshwrap: cannot create a private directory for stdin' >&2; exit 1; }`,
      'head -c "$__sw_n" >"$__sw_d/in"',
      // $((…)) drops the padding some `wc` put before the number.
      `[ "$(($(wc -c <"$__sw_d/in")))" -eq "$__sw_n" ] || { rm -rf "$__sw_d"; ${missing}; exit 1; }`,
      'exec 5<"$__sw_d/in"; rm -rf "$__sw_d"',
    );
  }
  lines.push(
    'exec 3<&0',
    `( trap '' TERM; while read -r __sw_x; do :; done <&3; kill -TERM -$$; sleep 1; kill -KILL -$$ ) >/dev/null 2>&1 &`,
    '__sw_w=$!',
  );
  return lines;
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
  const loginSeconds = loginTimeoutSeconds(spec.remoteEnvironment);
  // Before anything reads ssh's stdin or sets a variable: the login shell never sees the env
  // lines, and whatever it sets is overridden by sshwrap's values below.
  if (loginSeconds !== undefined) lines.push(...loginEnvironmentLines(loginSeconds, (event) => markStatement(token, event)));
  for (const name of spec.stdinEnvNames ?? []) {
    // `printf x` then `%x` keeps trailing newlines that $(...) would strip from the value.
    lines.push(
      `IFS= read -r __sw_l || { ${[...markStatement(token, 'stdin-missing'), "echo 'sshwrap: expected env values on stdin' >&2"].join('; ')}; exit 1; }`,
      `${name}=$(printf "$__sw_l"; printf x); ${name}=\${${name}%x}; export ${name}`,
    );
  }
  lines.push(...remotePathLines(spec.remotePath ?? (loginSeconds === undefined ? 'augment' : 'inherit')));
  if (spec.cwd !== undefined && spec.cwd !== '') {
    lines.push(`cd ${dirWord(spec.cwd)} || { ${[...markStatement(token, 'cwd-missing'), 'exit 1'].join('; ')}; }`);
  }
  const exported = exportLine(spec.env);
  if (exported) lines.push(exported);
  if (token === undefined && !spec.lifeline) {
    lines.push(`exec ${quotedWords(spec.command, spec.args)}${spec.commandStdin === 'null' ? ' </dev/null' : ''}`);
    return lines.join('\n');
  }
  if (token !== undefined) {
    lines.push(`command -v ${quotedWords(spec.command, [])} >/dev/null 2>&1 || { ${markStatement(token, 'not-found')[0]}; exit 127; }`);
  }
  let commandStdin = spec.commandStdin === 'null' ? ' </dev/null' : '';
  if (spec.lifeline) {
    lines.push(...lifelineLines(token, spec.commandStdin === 'framed'));
    commandStdin = spec.commandStdin === 'framed' ? ' 3<&- <&5 5<&-' : ' 3<&- </dev/null';
  }
  // sh reports a child killed by a signal ("Killed") on its own stderr, which is the command's
  // stderr too. So this shell's stderr goes to /dev/null for good (dash and bash print the
  // notice at different times) and the original stays on fd 4. The command gets it back inside
  // a subshell that execs it: the notice, if any, is then printed by this shell, into /dev/null.
  lines.push(
    ...markStatement(token, 'started'),
    'exec 4>&2 2>/dev/null',
    // `exec` so a name like `echo` runs the binary on PATH, as it does without markers.
    `( exec ${quotedWords(spec.command, spec.args)} 2>&4 4>&-${commandStdin} )`,
    '__sw_s=$?',
  );
  // The command ended by itself: the watcher must not kill what it may have left running on purpose.
  if (spec.lifeline) lines.push('kill -KILL "$__sw_w" 2>/dev/null');
  lines.push(...markStatement(token, 'exit', ':"$__sw_s"').map((line) => line.replace(/>&2$/, '>&4')), 'exit "$__sw_s"');
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
  return `exec /bin/sh -c 'eval "$(printf "$1")"' sshwrap '${encodeScript(parseValue(SCRIPT, script, 'script'))}'`;
}

// The 'augment' PATH lines are most of a default script (several kB) and never change, so their
// encoding is done once. Encoding is per character (only a leading '-' is special, and the block
// does not start with one), so encoding the parts and joining them is encoding the whole.
let augmentBlock: { text: string; encoded: string } | undefined;

function encodeScript(script: string): string {
  if (!augmentBlock) {
    const text = remotePathLines('augment').join('\n');
    augmentBlock = { text, encoded: encodeForAnyShell(text) };
  }
  const at = script.indexOf(augmentBlock.text);
  if (at < 0 || augmentBlock.text.startsWith('-')) return encodeForAnyShell(script);
  return (at > 0 ? encodeForAnyShell(script.slice(0, at)) : '') + augmentBlock.encoded + encodeForAnyShell(script.slice(at + augmentBlock.text.length));
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
