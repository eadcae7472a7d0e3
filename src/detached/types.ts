import type { AttachmentOptions } from '../files/attachment-types.js';
import { optionKeys } from '../schemas/index.js';
import type { RunWithSshOptions } from '../exec/index.js';

/**
 * How sshwrap reaches the remote for a detached-run operation (the connection options of
 * `runWithSsh`), plus where the runs live on it.
 *
 * @example
 * ```ts
 * const options: DetachedRemoteOptions = { runDir: '/var/tmp/agent-runs', timeoutMs: 30_000 };
 * ```
 */
export interface DetachedRemoteOptions
  extends Pick<
    RunWithSshOptions,
    'signal' | 'sshPath' | 'sshConfigFile' | 'askpass' | 'multiplex' | 'connectionPool' | 'executor' | 'env' | 'allowUnsafeOptions' | 'managedSshOptions'
  > {
  /** Base directory of the runs on the remote: absolute or `~/…`. @default '~/.sshwrap/runs' */
  runDir?: string;
  /** Bound on the whole remote operation (connection included). @default 60_000 (cancel: plus graceMs) */
  timeoutMs?: number;
}

const REMOTE_KEYS = {
  runDir: true,
  timeoutMs: true,
  signal: true,
  sshPath: true,
  sshConfigFile: true,
  askpass: true,
  multiplex: true,
  connectionPool: true,
  executor: true,
  env: true,
  allowUnsafeOptions: true,
  managedSshOptions: true,
} as const;

/**
 * The option keys detached remote accepts; anything else is refused.
 * @internal
 * @example
 * ```ts
 * assertKnownOptions(options, DETACHED_REMOTE_OPTION_KEYS, 'options');
 * ```
 */
export const DETACHED_REMOTE_OPTION_KEYS = optionKeys<DetachedRemoteOptions>()(REMOTE_KEYS);

/**
 * Options of `startDetached`: the connection options, plus how the env reaches the agent (the
 * same as for `runWithSsh`: `secretEnv` and secret-looking `customEnvVars` go over ssh's stdin,
 * never on an argv or the remote disk).
 *
 * @example
 * ```ts
 * const options: StartDetachedOptions = { secretEnv: { ANTHROPIC_API_KEY: key }, runDir: '~/runs' };
 * ```
 */
export interface StartDetachedOptions
  extends DetachedRemoteOptions,
    Pick<RunWithSshOptions, 'secretEnv' | 'envOnStdin' | 'remotePath' | 'remoteEnvironment' | 'promptStdinThreshold' | 'maxCommandBytes' | 'localCwd'>,
    AttachmentOptions {
  /** The run's id (a directory name: `[A-Za-z0-9][A-Za-z0-9._-]*`). @default a fresh random id */
  runId?: string;
}

/**
 * The option keys start detached accepts; anything else is refused.
 * @internal
 * @example
 * ```ts
 * assertKnownOptions(options, START_DETACHED_OPTION_KEYS, 'options');
 * ```
 */
export const START_DETACHED_OPTION_KEYS = optionKeys<StartDetachedOptions>()({
  ...REMOTE_KEYS,
  secretEnv: true,
  envOnStdin: true,
  remotePath: true,
  remoteEnvironment: true,
  promptStdinThreshold: true,
  maxCommandBytes: true,
  localCwd: true,
  runId: true,
  attachments: true,
  attachmentArgs: true,
  maxAttachmentBytes: true,
});

/**
 * A detached run as `startDetached` started it.
 *
 * @example
 * ```ts
 * const run: DetachedRun = await startDetached(config, { enabled: true, remoteId: 'gpu-1' }, store);
 * console.log(run.runId, run.remotePid);
 * ```
 */
export interface DetachedRun {
  /** Names the run (its directory under `runDir`). */
  runId: string;
  /** The remote it runs on. */
  remoteId: string;
  /** Pid of the run's wrapper shell on the remote; it leads the run's process group and session. */
  remotePid: number;
  /** When the run started, by the remote clock (ISO 8601, seconds). */
  startedAt: string;
}

/**
 * Which run: its id and its remote.
 *
 * @example
 * ```ts
 * const ref: DetachedRunRef = { runId: run.runId, remoteId: run.remoteId };
 * ```
 */
export interface DetachedRunRef {
  runId: string;
  remoteId: string;
}

/**
 * Where a detached run is: `running`; `exited` (its exit status was recorded); `lost` (its
 * process is gone, or its pid now belongs to another process, and no exit status was recorded:
 * the remote rebooted, or something killed the run's wrapper).
 *
 * @example
 * ```ts
 * const state: DetachedRunState = 'running';
 * ```
 */
export type DetachedRunState = 'running' | 'exited' | 'lost';

/**
 * A detached run as its remote directory describes it now.
 *
 * @example
 * ```ts
 * const status: DetachedRunStatus = await detachedStatus(ref, store);
 * if (status.state === 'exited') console.log('exit', status.exitCode, status.remoteSignal);
 * ```
 */
export interface DetachedRunStatus {
  runId: string;
  state: DetachedRunState;
  /** The agent's exit status as the remote /bin/sh saw it (128+N when killed by signal N). */
  exitCode?: number;
  /** `exitCode` read as "killed by this signal" (sh's 128+N convention), e.g. `'SIGTERM'` for 143. */
  remoteSignal?: string;
  /** Pid of the run's wrapper (its process group id); 0 when the launch never recorded one. */
  remotePid: number;
  /** Start, by the remote clock (ISO 8601); `''` when the launch never recorded one. */
  startedAt: string;
  /** End, by the remote clock (ISO 8601), for an exited run. */
  endedAt?: string;
  /** Bytes the agent wrote to stdout so far. */
  stdoutBytes: number;
  /** Bytes the agent wrote to stderr so far. */
  stderrBytes: number;
}

/**
 * Options of `attachDetached`.
 *
 * @example
 * ```ts
 * const options: AttachDetachedOptions = { fromOffset: { stdout: 1024 }, onStdout: (t) => process.stdout.write(t) };
 * ```
 */
export interface AttachDetachedOptions extends Omit<DetachedRemoteOptions, 'timeoutMs' | 'signal'> {
  /** Bytes of each stream already seen: replay starts after them. @default { stdout: 0, stderr: 0 } (replay everything) */
  fromOffset?: { stdout?: number; stderr?: number };
  /** Each decoded chunk of the run's stdout, in order, each byte once (UTF-8 sequences are never split). */
  onStdout?: (text: string) => void;
  /** Same for stderr. */
  onStderr?: (text: string) => void;
  /** Aborting detaches: resolves `state: 'running'` with the offsets reached. The run goes on. */
  signal?: AbortSignal;
  /** Detach after this long (as an abort does). @default undefined (until the run ends) */
  timeoutMs?: number;
  /**
   * Reconnects after a lost connection: up to `attempts` consecutive failed connections, with
   * jittered exponential delays up to `maxDelayMs`. @default { attempts: 5, maxDelayMs: 10_000 }
   */
  reconnect?: { attempts: number; maxDelayMs: number };
  /** Keep at most this many characters of each stream in the result (callbacks see everything). @default 100_000_000 */
  maxBuffer?: number;
}

/**
 * The option keys attach detached accepts; anything else is refused.
 * @internal
 * @example
 * ```ts
 * assertKnownOptions(options, ATTACH_DETACHED_OPTION_KEYS, 'options');
 * ```
 */
export const ATTACH_DETACHED_OPTION_KEYS = optionKeys<AttachDetachedOptions>()({
  ...REMOTE_KEYS,
  fromOffset: true,
  onStdout: true,
  onStderr: true,
  reconnect: true,
  maxBuffer: true,
});

/**
 * How an attach ended.
 *
 * @example
 * ```ts
 * const result: DetachedAttachResult = await attachDetached(ref, store);
 * if (result.state === 'running') console.log('detached at', result.stdoutOffset);
 * ```
 */
export interface DetachedAttachResult {
  /** `running`: detached (signal or timeout) before the run ended. */
  state: DetachedRunState;
  exitCode?: number;
  remoteSignal?: string;
  /** Text delivered during this attach (from `fromOffset` on; up to `maxBuffer` characters). */
  stdout: string;
  stderr: string;
  /** Absolute byte offsets reached: pass them as `fromOffset` to continue later. */
  stdoutOffset: number;
  stderrOffset: number;
}

/**
 * Options of `cancelDetached`.
 *
 * @example
 * ```ts
 * await cancelDetached(ref, store, { graceMs: 10_000 });
 * ```
 */
export interface CancelDetachedOptions extends DetachedRemoteOptions {
  /** Time between TERM and KILL to the run's process group. @default 5000 */
  graceMs?: number;
}

/**
 * The option keys cancel detached accepts; anything else is refused.
 * @internal
 * @example
 * ```ts
 * assertKnownOptions(options, CANCEL_DETACHED_OPTION_KEYS, 'options');
 * ```
 */
export const CANCEL_DETACHED_OPTION_KEYS = optionKeys<CancelDetachedOptions>()({ ...REMOTE_KEYS, graceMs: true });

/**
 * Options of `pruneDetached`.
 *
 * @example
 * ```ts
 * await pruneDetached('gpu-1', store, { olderThanMs: 7 * 86_400_000 });
 * ```
 */
export interface PruneDetachedOptions extends DetachedRemoteOptions {
  /** Remove finished runs that ended (lost runs: started) longer ago than this, by the remote clock. */
  olderThanMs: number;
}

/**
 * The option keys prune detached accepts; anything else is refused.
 * @internal
 * @example
 * ```ts
 * assertKnownOptions(options, PRUNE_DETACHED_OPTION_KEYS, 'options');
 * ```
 */
export const PRUNE_DETACHED_OPTION_KEYS = optionKeys<PruneDetachedOptions>()({ ...REMOTE_KEYS, olderThanMs: true });
