import { SshWrapError } from '../../errors/index.js';
import { nodeExecutor, type SpawnExecutor } from '../../process/executor.js';
import { runCommand } from '../../process/run-command.js';
import type { SshRemoteConfig } from '../../schemas/index.js';
import { buildSshArgs, anyShellCommand } from '../../wrap/index.js';
import type { Lease } from '../../pool/lease.js';

/** Signals {@link killRemoteProcessGroup} sends (names as the remote `kill` builtin reads them). */
export type RemoteSignal = 'TERM' | 'KILL' | 'INT' | 'HUP' | 'QUIT' | 'USR1' | 'USR2';

const SIGNALS: ReadonlySet<string> = new Set<RemoteSignal>(['TERM', 'KILL', 'INT', 'HUP', 'QUIT', 'USR1', 'USR2']);
/** Grace between TERM and KILL on the remote, unless told otherwise. */
export const DEFAULT_REMOTE_GRACE_MS = 2_000;
const POLL_MS = 100;
/** ConnectTimeout (10 s) plus a margin, on top of the grace period. */
const CONNECT_BUDGET_MS = 15_000;

/** Options of {@link killRemoteProcessGroup}. */
export interface KillRemoteOptions {
  /** After the signal, how long the group may take to exit before it gets SIGKILL. @default 2000 */
  graceMs?: number;
  /** ssh client binary. @default 'ssh' */
  sshPath?: string;
  /** `-F` file for `useSshConfig` remotes. */
  sshConfigFile?: string;
  /** Command-executing customOptions allowed for this remote. */
  allowUnsafeOptions?: readonly string[];
  /** Starts the kill connection (pass the one the run used, e.g. a utilityProcess adapter). @default nodeExecutor */
  executor?: SpawnExecutor;
  /** Environment of the kill connection's ssh (SSH_ASKPASS for a passphrase-protected key). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Local working directory of the kill connection's ssh. @default the current directory */
  cwd?: string;
  /**
   * The run's own managed ssh options (without a `lease`): a ControlPath among them is used when
   * a master listens there. The kill connection never becomes a master (ControlMaster=no).
   */
  managedSshOptions?: Record<string, string>;
  /** Upper bound for the whole attempt, retry included. @default graceMs + 15000 */
  timeoutMs?: number;
}

/** What happened on the remote. */
export interface RemoteKillResult {
  /**
   * - `'terminated'`: the group got the signal and is gone;
   * - `'killed'`: it outlived the grace period and got SIGKILL;
   * - `'signalled'`: the signal was delivered and not waited for (`signal` other than TERM);
   * - `'not-found'`: no such process group (already exited);
   * - `'failed'`: the kill command could not run (connection failed): see `stderr`.
   */
  outcome: 'terminated' | 'killed' | 'signalled' | 'not-found' | 'failed';
  /** Whether it went through a master. */
  viaMaster: boolean;
  /** ssh's stderr when it failed. */
  stderr: string;
}

/**
 * The remote POSIX sh script that signals process group `pid` and, for TERM, waits up to
 * `graceMs` before SIGKILL. `kill -SIG -PGID` is the one spelling dash, busybox ash, bash and
 * mksh all accept (`kill -TERM -- -PGID` fails in dash and busybox). Exit 3 = no such group,
 * 4 = escalated to KILL.
 *
 * "Still alive" ignores zombies: the killed children are re-parented to init, and a container
 * whose PID 1 reaps slowly (or never) would otherwise keep `kill -0` succeeding until the grace
 * period ends. When `ps` gives no usable answer, `kill -0` alone decides.
 *
 * @example
 * ```ts
 * buildKillScript(4242, 'KILL', 0); // "kill -KILL -4242 2>/dev/null || exit 3\nexit 0"
 * ```
 */
export function buildKillScript(pid: number, signal: RemoteSignal, graceMs: number): string {
  const lines = [`kill -${signal} -${pid} 2>/dev/null || exit 3`];
  if (signal === 'TERM') {
    const polls = Math.ceil(graceMs / POLL_MS);
    lines.push(
      '__sw_alive() {',
      `  kill -0 -${pid} 2>/dev/null || return 1`,
      '  __sw_ps=$(ps -A -o pgid= -o stat= 2>/dev/null) && [ -n "$__sw_ps" ] || return 0',
      `  printf '%s\n' "$__sw_ps" | awk '$1 == ${pid} && $2 !~ /^Z/ { f = 1 } END { exit !f }'`,
      '}',
      '__sw_i=0',
      'while __sw_alive; do',
      `  if [ "$__sw_i" -ge ${polls} ]; then kill -KILL -${pid} 2>/dev/null; exit 4; fi`,
      '  sleep 0.1; __sw_i=$((__sw_i + 1))',
      'done',
    );
  }
  lines.push('exit 0');
  return lines.join('\n');
}

function outcomeFor(code: number | null, signal: RemoteSignal): RemoteKillResult['outcome'] {
  if (code === 0) return signal === 'TERM' ? 'terminated' : 'signalled';
  if (code === 3) return 'not-found';
  if (code === 4) return 'killed';
  return 'failed';
}

/**
 * The one remote kill of sshwrap (the runners' stop path and the public API both use it). Stops a
 * remote process tree started by sshwrap: `pid` is the one the remote script reported
 * (`<token>:pid:<pid>` with `statusMarker`). sshd puts a session without a tty in its own process
 * group led by that pid, so signalling the group reaches everything the command started. Killing
 * the local ssh client alone does not stop it: sshd does not signal a no-tty command when its
 * client goes (only the lifeline, see `RemoteWrapOptions.lifeline`, makes the remote notice).
 *
 * Goes through a master when there is one (the lease's, or a ControlPath in `managedSshOptions`;
 * milliseconds), else opens a fresh connection; if the master refuses (dead, or at MaxSessions)
 * it retries once on a fresh connection. Works under any login shell (the script is wrapped with
 * `anyShellCommand`). Never rejects for remote failures: see {@link RemoteKillResult.outcome}.
 *
 * @throws {SshWrapError} `INVALID_CONFIG` when `pid` is not an integer above 1 (`-1` would mean
 *   "every process of the user") or `signal` is not a {@link RemoteSignal}.
 * @example
 * ```ts
 * const result = await killRemoteProcessGroup(remote, remotePid, lease);
 * if (result.outcome === 'failed') console.warn(result.stderr);
 * ```
 */
export async function killRemoteProcessGroup(
  remote: SshRemoteConfig,
  pid: number,
  lease?: Lease,
  signal: RemoteSignal = 'TERM',
  options: KillRemoteOptions = {},
): Promise<RemoteKillResult> {
  if (!Number.isInteger(pid) || pid <= 1) throw new SshWrapError('INVALID_CONFIG', `pid must be an integer above 1, got ${pid}`, { field: 'pid' });
  if (!SIGNALS.has(signal)) throw new SshWrapError('INVALID_CONFIG', `signal must be one of ${[...SIGNALS].join(', ')}`, { field: 'signal' });
  const graceMs = options.graceMs ?? DEFAULT_REMOTE_GRACE_MS;
  const deadline = Date.now() + (options.timeoutMs ?? graceMs + CONNECT_BUDGET_MS);
  const command = anyShellCommand(buildKillScript(pid, signal, graceMs));
  const run = async (managedOptions: Record<string, string> | undefined) => {
    const args = buildSshArgs(remote, command, { managedOptions, allowUnsafeOptions: options.allowUnsafeOptions, configFile: options.sshConfigFile, sshPath: options.sshPath });
    return runCommand(options.executor ?? nodeExecutor, options.sshPath ?? 'ssh', args, {
      timeoutMs: Math.max(0, deadline - Date.now()),
      env: options.env,
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    });
  };
  const managed = lease?.controlPath !== undefined ? lease.managedSshOptions : options.managedSshOptions;
  // ControlMaster=no: use a running master, but a kill must never become (or wait for) a new one.
  const viaMaster = managed?.ControlPath !== undefined && managed.ControlPath !== 'none';
  let result = await run(managed ? { ...managed, ControlMaster: 'no' } : undefined);
  let usedMaster = viaMaster;
  if (viaMaster && result.code === 255 && Date.now() < deadline) {
    result = await run({ ...managed, ControlMaster: 'no', ControlPath: 'none' });
    usedMaster = false;
  }
  const outcome = outcomeFor(result.code, signal);
  return { outcome, viaMaster: usedMaster, stderr: outcome === 'failed' ? result.stderr || result.spawnError?.message || '' : '' };
}
