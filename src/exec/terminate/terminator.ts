import type { ChildProcessLike, SpawnExecutor } from '../../process/executor.js';
import type { SshRemoteConfig } from '../../schemas/index.js';
import { hasExited, terminateChild } from './local.js';
import { killRemoteProcessGroup, type KillRemoteOptions } from './remote-kill.js';

/**
 * Why a run was stopped by sshwrap (the first reason wins; later ones are ignored):
 * - `'abort'`: the caller's `signal` aborted;
 * - `'timeout'`: `timeoutMs` passed;
 * - `'idle'`: nothing on stdout or stderr for `idleTimeoutMs`;
 * - `'kill'`: `child.kill()` of a `spawnWithSsh` child;
 * - `'callback-error'`: a callback (`onStdout`, `onEvent`, a line callback…) threw.
 *
 * The owner's death is the one reason that cannot run here (the owner is gone): the remote script
 * handles it itself through the lifeline (`RemoteWrapOptions.lifeline`).
 *
 * @example
 * ```ts
 * if (result.stopReason === 'idle') console.warn('the agent went silent');
 * ```
 */
export type StopReason = 'abort' | 'timeout' | 'idle' | 'kill' | 'callback-error';

/** Milliseconds between TERM and KILL, locally and on the remote, unless `killGraceMs` says otherwise. */
export const DEFAULT_KILL_GRACE_MS = 2_000;

/** Upper bound for the remote kill (connect, TERM, grace, KILL) of a run being stopped. */
export const REMOTE_KILL_TIMEOUT_MS = 8_000;

/** The remote side of a run, for {@link Terminator}. */
export interface RemoteStopTarget {
  remote: SshRemoteConfig;
  /** The remote process group (the pid the script reported), once known. */
  pid(): number | undefined;
  /** The remote command already reported its exit: nothing left to kill. */
  exited(): boolean;
  /** How the kill connection connects: the run's own settings. */
  connect: Omit<KillRemoteOptions, 'graceMs' | 'timeoutMs'>;
}

/** What a run knows when it builds its {@link RemoteStopTarget}. */
export interface RemoteStopContext {
  /** `killRemote` of the run options: `false` leaves the remote side to the lifeline. @default true */
  killRemote?: boolean | undefined;
  executor: SpawnExecutor;
  /** The spawned ssh: its binary, local cwd and environment (SSH_ASKPASS included). */
  sshPath: string;
  cwd: string;
  env: NodeJS.ProcessEnv | undefined;
  managedSshOptions?: Record<string, string> | undefined;
  allowUnsafeOptions?: readonly string[] | undefined;
  sshConfigFile?: string | undefined;
  pid(): number | undefined;
  exited(): boolean;
}

/**
 * The remote side of a run for {@link Terminator}, connecting the way the run did; `undefined`
 * for a local run or `killRemote: false`.
 *
 * @example
 * ```ts
 * new Terminator(child, { remote: remoteStopTarget(wrapped.sshRemoteUsed, { executor, sshPath: wrapped.command, cwd: wrapped.cwd, env, pid: () => pid, exited: () => false }) });
 * ```
 */
export function remoteStopTarget(remote: SshRemoteConfig | null, context: RemoteStopContext): RemoteStopTarget | undefined {
  if (!remote || context.killRemote === false) return undefined;
  return {
    remote,
    pid: context.pid,
    exited: context.exited,
    connect: {
      executor: context.executor,
      sshPath: context.sshPath,
      cwd: context.cwd,
      ...(context.env ? { env: context.env } : {}),
      ...(context.managedSshOptions ? { managedSshOptions: context.managedSshOptions } : {}),
      ...(context.allowUnsafeOptions ? { allowUnsafeOptions: context.allowUnsafeOptions } : {}),
      ...(context.sshConfigFile ? { sshConfigFile: context.sshConfigFile } : {}),
    },
  };
}

/** Options of {@link Terminator}. */
export interface TerminatorOptions {
  /** Between TERM and KILL, for the local process and the remote group alike. @default 2000 */
  killGraceMs?: number | undefined;
  /** Also stop this remote group over a second connection. Omit for local runs or `killRemote: false`. */
  remote?: RemoteStopTarget | undefined;
}

/**
 * The one place that stops a run, used by `runWithSsh`, `spawnWithSsh` (its `kill()` and abort)
 * and through them the CLI. One escalation path:
 * - local: the signal (SIGTERM unless `kill(signal)` asked for another) → `killGraceMs` → SIGKILL;
 * - remote: the process-group kill over a second connection (through the master when pooled),
 *   TERM → `killGraceMs` → KILL. Needed on top of the local kill because sshd does not signal a
 *   no-tty command when its client goes; the lifeline would catch it too, but only once sshd
 *   notices the closed connection, and not at all with `lifeline: false` or `keepStdin`.
 * Both run at once. The first reason is recorded ({@link reason}); stopping again is a no-op.
 *
 * @example
 * ```ts
 * const terminator = new Terminator(child, { killGraceMs: 2000, remote });
 * setTimeout(() => terminator.stop('timeout'), 60_000);
 * await terminator.stopping;
 * ```
 */
export class Terminator {
  #reason: StopReason | undefined;
  #stopping: Promise<void> | undefined;
  readonly #child: ChildProcessLike;
  readonly #graceMs: number;
  readonly #remote: RemoteStopTarget | undefined;

  constructor(child: ChildProcessLike, options: TerminatorOptions = {}) {
    this.#child = child;
    this.#graceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    this.#remote = options.remote;
  }

  /** Why the run was stopped, or `undefined` when it ended by itself. */
  get reason(): StopReason | undefined {
    return this.#reason;
  }

  /** Settles when the stop finished (local process gone, remote kill done or given up); `undefined` until stopped. */
  get stopping(): Promise<void> | undefined {
    return this.#stopping;
  }

  /**
   * Stops the run for `reason`. Returns `false` (and does nothing) when it is already stopping or
   * the local process already exited.
   */
  stop(reason: StopReason, signal: NodeJS.Signals | number = 'SIGTERM'): boolean {
    if (this.#stopping || hasExited(this.#child)) return false;
    this.#reason = reason;
    this.#stopping = Promise.all([terminateChild(this.#child, this.#graceMs, signal), this.#killRemote()]).then(() => undefined);
    return true;
  }

  async #killRemote(): Promise<void> {
    const target = this.#remote;
    const pid = target?.pid();
    // Not reported yet (the lifeline ends it when ssh goes), already exited, or pid 0/1 ("everything").
    if (!target || pid === undefined || pid <= 1 || !Number.isSafeInteger(pid) || target.exited()) return;
    try {
      await killRemoteProcessGroup(target.remote, pid, undefined, 'TERM', { ...target.connect, graceMs: this.#graceMs, timeoutMs: REMOTE_KILL_TIMEOUT_MS + Math.max(0, this.#graceMs - DEFAULT_KILL_GRACE_MS) });
    } catch {
      // Best effort: a kill that cannot even be built (bad options) must not fail the stop.
    }
  }
}
