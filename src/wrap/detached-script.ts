import { SshWrapError } from '../errors/index.js';
import { quotePosix } from '../quoting/index.js';
import { dirWord } from './posix-words.js';

// The remote side of detached runs, as POSIX sh scripts. Each one runs under /bin/sh through the
// same any-shell transport as every other run (the callers hand them to runWithSsh/spawnWithSsh
// as `/bin/sh -c <script>`), so the login shell never parses them.
//
// Run directory layout (`<base>/<runId>/`, 0700, files 0600 through umask 077):
//   prompt   the stdin prompt, removed by the wrapper right after it opened it as its stdin
//   out/err  the agent's stdout and stderr, appended only
//   pid      "<pid> <pid start time> <started ISO> <started epoch>", written once (tmp + mv)
//   exit     "<status> <ended ISO> <ended epoch>", written once when the agent ended (tmp + mv)

/**
 * Base directory of detached runs on the remote when no `runDir` is given.
 *
 * @example
 * ```ts
 * runDirWord(DEFAULT_DETACHED_RUN_DIR); // "$HOME"/.sshwrap/runs
 * ```
 */
export const DEFAULT_DETACHED_RUN_DIR = '~/.sshwrap/runs';

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Checks a run id: it names a directory, so only `[A-Za-z0-9._-]`, not starting with a dot or
 * dash, at most 128 characters.
 *
 * @throws {SshWrapError} `UNSAFE_ARGUMENT` (`field: 'runId'`).
 * @example
 * ```ts
 * assertRunId('r-lq3k2-9f1c'); // ok
 * assertRunId('../etc');       // throws
 * ```
 */
export function assertRunId(runId: string): void {
  if (typeof runId !== 'string' || !RUN_ID.test(runId)) {
    throw new SshWrapError('UNSAFE_ARGUMENT', 'runId must match [A-Za-z0-9][A-Za-z0-9._-]* (at most 128 characters)', { field: 'runId' });
  }
}

/**
 * The shell word of the runs' base directory: `~/…` is expanded on the remote, an absolute
 * path is used as is. Relative paths are refused: they would depend on the agent's cwd.
 *
 * @throws {SshWrapError} `INVALID_CONFIG` (`field: 'runDir'`).
 * @example
 * ```ts
 * runDirWord(undefined);      // "$HOME"'/.sshwrap/runs'
 * runDirWord('/var/tmp/sw');  // '/var/tmp/sw'
 * ```
 */
export function runDirWord(runDir: string | undefined): string {
  const dir = runDir ?? DEFAULT_DETACHED_RUN_DIR;
  if (typeof dir !== 'string' || !(dir.startsWith('/') || dir.startsWith('~/')) || dir.includes('\u0000') || dir.includes('\n')) {
    throw new SshWrapError('INVALID_CONFIG', 'runDir must be an absolute path or start with ~/ (no NUL or newline)', { field: 'runDir' });
  }
  return dirWord(dir.replace(/\/+$/, ''));
}

// Prints the start time of pid $1: /proc/<pid>/stat field 22 (clock ticks since boot) on Linux,
// `ps -o lstart=` elsewhere (macOS, BSD). The comm field may hold spaces and parentheses, so the
// fields are counted from the last ')': field 3 (the state) is then $1 and field 22 is $20.
// Nothing for a zombie: a run's wrapper reparented to a pid 1 that does not reap (containers)
// stays a zombie, and `kill -0` still succeeds on it.
const START_TIME_FN = [
  "sw_st0() { if [ -r \"/proc/$1/stat\" ]; then sw_x=$(cat \"/proc/$1/stat\" 2>/dev/null) || return 0; sw_x=${sw_x##*')'};",
  ' set -- $sw_x; case "$1" in Z*|X*) return 0;; esac; shift 19; printf %s "$1";',
  " else case $(ps -o stat= -p \"$1\" 2>/dev/null) in Z*) return 0;; esac; ps -o lstart= -p \"$1\" 2>/dev/null | tr -s ' \\t' '__'; fi; }",
  // Never empty ('-' when unknown): the pid file is read back by whitespace-separated fields.
  '\nsw_st() { sw_y=$(sw_st0 "$1"); printf %s "${sw_y:--}"; }',
].join('');

// True while the run's process is the one recorded: alive, not a zombie, AND started at the
// recorded time, so a pid reused by another process does not count.
// pid 0 (no pid file) is never alive: `kill -0 0` would test our own process group.
const ALIVE_FN = 'sw_alive() { [ "$1" != 0 ] && kill -0 "$1" 2>/dev/null && [ "$(sw_st "$1")" = "$2" ]; }';

// A fractional sleep where supported (GNU, busybox, macOS), else a whole second.
const NAP = 'sw_nap() { sleep "$1" 2>/dev/null || sleep 1; }';

// The detached wrapper: $1 = run dir, the rest = the agent's argv. It takes the prompt file as
// stdin and removes it, records its own pid and start time, runs the agent with the output in
// the run dir and records the exit status. TERM/INT are trapped so the wrapper outlives a
// cancel's TERM to the process group and still records the status; the agent (a child) gets
// the default dispositions back.
const WRAPPER = [
  START_TIME_FN,
  'sw_d=$1; shift',
  'exec <"$sw_d/prompt"; rm -f "$sw_d/prompt"',
  'printf \'%s %s %s %s\\n\' "$$" "$(sw_st $$)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(date +%s)" >"$sw_d/pid.tmp" && mv -f "$sw_d/pid.tmp" "$sw_d/pid"',
  "trap ':' TERM INT",
  // `exec` in a subshell runs the binary even when the name is also a shell builtin (`echo`).
  '( exec "$@" ) >>"$sw_d/out" 2>>"$sw_d/err"',
  'sw_s=$?',
  'printf \'%s %s %s\\n\' "$sw_s" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(date +%s)" >"$sw_d/exit.tmp" && mv -f "$sw_d/exit.tmp" "$sw_d/exit"',
].join('\n');

/**
 * The launcher run by `startDetached` as `/bin/sh -c <script> sshwrap <agent> [args…]`, in the
 * agent's cwd with its env already exported by the normal remote script. It creates the run
 * directory (umask 077), saves its stdin (the prompt, or nothing) to `prompt`, starts the
 * wrapper in a session of its own, waits (at most ~10 s) until the wrapper has taken the prompt
 * and written `pid`, and prints `sshwrap-detached <pid> <start time> <started ISO> <epoch>`.
 *
 * Detaching: `setsid` (util-linux, busybox) when present; else perl's `POSIX::setsid` (macOS
 * ships perl, not setsid); else job control (`set -m`) gives the job its own process group and
 * `nohup` makes it ignore SIGHUP. In every case the wrapper leads its own process group, so
 * `kill -- -<pid>` reaches the agent and nothing of the ssh session's group does.
 *
 * Exit statuses: 0 started; 125 the run dir could not be made or the run did not start;
 * 127 the agent is not on the remote PATH; 126 the run id is taken.
 *
 * @example
 * ```ts
 * const script = buildDetachedLauncher({ runId: 'r-1', runDir: '~/.sshwrap/runs' });
 * // args for runWithSsh: ['-c', script, 'sshwrap', 'claude', '--print']
 * ```
 */
export function buildDetachedLauncher(spec: { runId: string; runDir?: string | undefined }): string {
  assertRunId(spec.runId);
  const base = runDirWord(spec.runDir);
  const launch = (prefix: string): string => `${prefix}/bin/sh -c "$sw_w" sshwrap-run "$sw_d" "$@" </dev/null >/dev/null 2>&1 &`;
  return [
    'umask 077',
    NAP,
    `sw_b=${base}; sw_d="$sw_b"/${quotePosix(spec.runId)}`,
    'mkdir -p "$sw_b" || { echo "sshwrap: cannot create $sw_b" >&2; exit 125; }',
    'mkdir "$sw_d" 2>/dev/null || { echo "sshwrap: run dir $sw_d exists or cannot be created" >&2; exit 126; }',
    'command -v "$1" >/dev/null 2>&1 || { printf \'sshwrap: command not found: %s\\n\' "$1" >&2; rm -rf "$sw_d"; exit 127; }',
    'cat >"$sw_d/prompt" && : >"$sw_d/out" && : >"$sw_d/err" || { echo "sshwrap: cannot write to $sw_d" >&2; rm -rf "$sw_d"; exit 125; }',
    `sw_w=${quotePosix(WRAPPER)}`,
    'if command -v setsid >/dev/null 2>&1; then',
    `  ${launch('setsid ')}`,
    'elif command -v perl >/dev/null 2>&1; then',
    `  ${launch("perl -MPOSIX -e 'POSIX::setsid(); exec @ARGV or exit 127' ")}`,
    'else',
    `  set -m; ${launch('nohup ')}`,
    'fi',
    'sw_i=0',
    'while [ ! -f "$sw_d/pid" ] && [ "$sw_i" -lt 100 ]; do sw_nap 0.1; sw_i=$((sw_i + 1)); done',
    '[ -f "$sw_d/pid" ] || { echo "sshwrap: the detached run did not start" >&2; exit 125; }',
    'printf \'sshwrap-detached %s\\n\' "$(cat "$sw_d/pid")"',
  ].join('\n');
}

// One status line per run: R <id> <state> <pid> <started ISO> <status|-> <ended ISO|-> <out bytes> <err bytes>
// A directory without a pid file is a launch still in progress or one that failed: skipped by
// the listing, reported as `lost` with pid 0 by a status query.
const STATUS_FN = [
  'sw_one() {',
  '  sw_d=$1; sw_id=${sw_d##*/}; sw_c=-; sw_e=-; sw_p=0; sw_t=-; sw_at=-',
  '  if [ -f "$sw_d/pid" ]; then read sw_p sw_t sw_at sw_ep <"$sw_d/pid"; fi',
  '  if [ -f "$sw_d/exit" ]; then sw_state=exited',
  '  elif [ "$sw_p" != 0 ] && sw_alive "$sw_p" "$sw_t"; then sw_state=running',
  // The run may have ended between the two checks: its exit file is then there.
  '  elif [ -f "$sw_d/exit" ]; then sw_state=exited',
  '  else sw_state=lost; fi',
  '  if [ "$sw_state" = exited ]; then read sw_c sw_e sw_ee <"$sw_d/exit"; fi',
  '  sw_o=$(wc -c <"$sw_d/out" 2>/dev/null); sw_r=$(wc -c <"$sw_d/err" 2>/dev/null)',
  "  printf 'R %s %s %s %s %s %s %s %s\\n' \"$sw_id\" \"$sw_state\" \"$sw_p\" \"$sw_at\" \"$sw_c\" \"$sw_e\" $((sw_o + 0)) $((sw_r + 0))",
  '}',
].join('\n');

function prelude(runDir: string | undefined): string[] {
  return [START_TIME_FN, ALIVE_FN, NAP, STATUS_FN, `sw_b=${runDirWord(runDir)}`];
}

/**
 * Prints the status line of one run (exit 3 when its directory does not exist).
 *
 * @example
 * ```ts
 * buildDetachedStatusScript({ runId: 'r-1' }); // prints "R r-1 running 4242 2026-…Z - - 10 0"
 * ```
 */
export function buildDetachedStatusScript(spec: { runId: string; runDir?: string | undefined }): string {
  assertRunId(spec.runId);
  return [...prelude(spec.runDir), `[ -d "$sw_b"/${quotePosix(spec.runId)} ] || exit 3`, `sw_one "$sw_b"/${quotePosix(spec.runId)}`].join('\n');
}

/**
 * Prints the status line of every run under the base directory that has started (a missing
 * base directory is an empty list).
 *
 * @example
 * ```ts
 * buildDetachedListScript({ runDir: '/var/tmp/runs' });
 * ```
 */
export function buildDetachedListScript(spec: { runDir?: string | undefined } = {}): string {
  return [...prelude(spec.runDir), 'for sw_f in "$sw_b"/*/pid; do [ -f "$sw_f" ] && sw_one "${sw_f%/pid}"; done', 'exit 0'].join('\n');
}

/**
 * Stops a run: TERM to its process group, up to `graceMs` for it to end, then KILL. A run that
 * died by KILL (its wrapper too) gets an exit record `137` so it reads as exited, not lost.
 * Prints the status line afterwards; exit 3 when the run does not exist.
 *
 * @example
 * ```ts
 * buildDetachedCancelScript({ runId: 'r-1', graceMs: 5000 });
 * ```
 */
export function buildDetachedCancelScript(spec: { runId: string; runDir?: string | undefined; graceMs: number }): string {
  assertRunId(spec.runId);
  // Tenths of a second, at least one check.
  const tenths = Math.max(1, Math.ceil(spec.graceMs / 100));
  return [
    ...prelude(spec.runDir),
    `sw_d="$sw_b"/${quotePosix(spec.runId)}`,
    '[ -d "$sw_d" ] || exit 3',
    'if [ -f "$sw_d/pid" ] && [ ! -f "$sw_d/exit" ]; then',
    '  read sw_p sw_t sw_at sw_ep <"$sw_d/pid"',
    '  if sw_alive "$sw_p" "$sw_t"; then',
    '    kill -TERM -"$sw_p" 2>/dev/null',
    `    sw_i=0; while sw_alive "$sw_p" "$sw_t" && [ "$sw_i" -lt ${tenths} ]; do sw_nap 0.1; sw_i=$((sw_i + 1)); done`,
    '    if sw_alive "$sw_p" "$sw_t"; then',
    '      kill -KILL -"$sw_p" 2>/dev/null',
    '      sw_i=0; while sw_alive "$sw_p" "$sw_t" && [ "$sw_i" -lt 50 ]; do sw_nap 0.1; sw_i=$((sw_i + 1)); done',
    '    fi',
    // The wrapper died with the group before it could write the record: write it for it.
    '    [ -f "$sw_d/exit" ] || { printf \'137 %s %s\\n\' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(date +%s)" >"$sw_d/exit.tmp" && mv -f "$sw_d/exit.tmp" "$sw_d/exit"; }',
    '  fi',
    'fi',
    'sw_one "$sw_d"',
  ].join('\n');
}

/**
 * Removes the directories of finished runs (exited, or lost: the process is gone) that ended
 * (lost: started) more than `olderThanSeconds` ago by the remote clock; never a running one.
 * Prints `P <id>` per removed run.
 *
 * @example
 * ```ts
 * buildDetachedPruneScript({ olderThanSeconds: 86_400 });
 * ```
 */
export function buildDetachedPruneScript(spec: { runDir?: string | undefined; olderThanSeconds: number }): string {
  if (!Number.isInteger(spec.olderThanSeconds) || spec.olderThanSeconds < 0) {
    throw new SshWrapError('INVALID_CONFIG', 'olderThanSeconds must be a non-negative integer', { field: 'olderThanMs' });
  }
  return [
    ...prelude(spec.runDir),
    `sw_lim=$(( $(date +%s) - ${spec.olderThanSeconds} ))`,
    'for sw_f in "$sw_b"/*/pid; do',
    '  [ -f "$sw_f" ] || continue',
    '  sw_d=${sw_f%/pid}; read sw_p sw_t sw_at sw_ep <"$sw_f"; sw_when=',
    '  if [ -f "$sw_d/exit" ]; then read sw_c sw_e sw_when <"$sw_d/exit"',
    '  elif ! sw_alive "$sw_p" "$sw_t" && [ ! -f "$sw_d/exit" ]; then sw_when=$sw_ep; fi',
    '  [ -n "$sw_when" ] && [ "$sw_when" -le "$sw_lim" ] || continue',
    // The run's attachments (startDetached's `attachments`) go with it.
    "  rm -rf \"$sw_d\" \"$sw_b/.${sw_d##*/}.attachments\" && printf 'P %s\\n' \"${sw_d##*/}\"",
    'done',
    'exit 0',
  ].join('\n');
}

/**
 * Streams a run's output from the given byte offsets, as framed records on stdout:
 * `\n<token>:frame\n` once (login noise before it is skipped), then `O <offset> <n>\n` + n bytes
 * of stdout, `E <offset> <n>\n` + n bytes of stderr, `H\n` (heartbeat, ~5 per second while idle:
 * a dead connection then fails the next write), and finally `X exited <status> <ended>` or
 * `X lost - -`. Exit 3 when the run does not exist.
 *
 * It drains: the exit file is checked BEFORE the sizes are read, and the agent wrote all its
 * output before the exit file appeared. The loop lasts as long as the run (every 10th idle
 * round checks that the process is still the recorded one) or until its reader goes away.
 *
 * @example
 * ```ts
 * buildDetachedAttachScript({ runId: 'r-1', token: 'sw9f', stdoutOffset: 0, stderrOffset: 0 });
 * ```
 */
export function buildDetachedAttachScript(spec: { runId: string; runDir?: string | undefined; token: string; stdoutOffset: number; stderrOffset: number }): string {
  assertRunId(spec.runId);
  if (!/^[A-Za-z0-9_-]+$/.test(spec.token)) throw new SshWrapError('UNSAFE_ARGUMENT', 'token must match [A-Za-z0-9_-]+', { field: 'token' });
  for (const field of ['stdoutOffset', 'stderrOffset'] as const) {
    if (!Number.isSafeInteger(spec[field]) || spec[field] < 0) throw new SshWrapError('INVALID_CONFIG', `${field} must be a non-negative integer`, { field });
  }
  const send = (tag: string, file: string, offset: string): string =>
    [
      `  sw_z=$(wc -c <"$sw_d/${file}" 2>/dev/null); sw_z=$((sw_z + 0))`,
      `  if [ "$sw_z" -gt "$${offset}" ]; then printf '${tag} %s %s\\n' "$${offset}" $((sw_z - ${offset})); tail -c +$((${offset} + 1)) "$sw_d/${file}" | head -c $((sw_z - ${offset})); ${offset}=$sw_z; sw_m=1; fi`,
    ].join('\n');
  return [
    ...prelude(spec.runDir),
    `sw_d="$sw_b"/${quotePosix(spec.runId)}`,
    '[ -d "$sw_d" ] || exit 3',
    // A launch still writing its pid file: wait for it a little (bounded).
    'sw_i=0; while [ ! -f "$sw_d/pid" ] && [ "$sw_i" -lt 100 ]; do sw_nap 0.1; sw_i=$((sw_i + 1)); done',
    'sw_p=0; sw_t=; [ -f "$sw_d/pid" ] && read sw_p sw_t sw_at sw_ep <"$sw_d/pid"',
    `sw_o=${spec.stdoutOffset}; sw_r=${spec.stderrOffset}; sw_i=0`,
    `printf '\\n%s\\n' '${spec.token}:frame'`,
    'while :; do',
    '  sw_fin=; sw_m=',
    '  [ -f "$sw_d/exit" ] && sw_fin=exited',
    '  if [ -z "$sw_fin" ] && [ $((sw_i % 10)) -eq 0 ] && ! sw_alive "$sw_p" "$sw_t"; then',
    '    if [ -f "$sw_d/exit" ]; then sw_fin=exited; else sw_fin=lost; fi',
    '  fi',
    send('O', 'out', 'sw_o'),
    send('E', 'err', 'sw_r'),
    '  if [ "$sw_fin" = exited ]; then read sw_c sw_e sw_ee <"$sw_d/exit"; printf \'X exited %s %s\\n\' "$sw_c" "$sw_e"; exit 0; fi',
    "  if [ \"$sw_fin\" = lost ]; then printf 'X lost - -\\n'; exit 0; fi",
    "  if [ -z \"$sw_m\" ]; then printf 'H\\n'; sw_nap 0.2; fi",
    '  sw_i=$((sw_i + 1))',
    'done',
  ].join('\n');
}

/**
 * Prints a run's stdout so far on stdout and its stderr so far on stderr (exit 3 when the run
 * does not exist): what `sshwrap logs` shows without following.
 *
 * @example
 * ```ts
 * buildDetachedLogsScript({ runId: 'r-1' });
 * ```
 */
export function buildDetachedLogsScript(spec: { runId: string; runDir?: string | undefined }): string {
  assertRunId(spec.runId);
  return [`sw_d=${runDirWord(spec.runDir)}/${quotePosix(spec.runId)}`, '[ -d "$sw_d" ] || exit 3', 'cat "$sw_d/out" 2>/dev/null', 'cat "$sw_d/err" >&2 2>/dev/null', 'exit 0'].join('\n');
}
