import { optionKeys } from '../schemas/index.js';
import { REMOTE_WRAP_KEYS } from '../wrap/wrap-remote.js';
import type { Askpass } from '../auth/index.js';
import type { ConnectionPool, MultiplexOption } from '../pool/index.js';
import type { RemoteWrapOptions, SshSpawnWrapResult } from '../wrap/index.js';
import type { ChildProcessLike, SpawnExecutor } from '../process/executor.js';
import type { LoginOutput } from './output-frame.js';
import type { StopReason } from './terminate/index.js';
import type { SshRunEvent } from './events.js';
import type { LineCallbacks } from './lines.js';
import type { RetryOption } from './retry.js';
import type { AttachmentOptions } from '../files/attachment-types.js';

/**
 * Options of `wrapSpawnWithSsh`: the pure wrap's options, with the local defaults filled in
 * from the machine when not given.
 *
 * @example
 * ```ts
 * const options: WrapSpawnOptions = { remotePath: 'inherit', envOnStdin: 'all' };
 * ```
 */
export interface WrapSpawnOptions extends Omit<RemoteWrapOptions, 'sshPath' | 'localCwd'> {
  /** ssh client binary. @default `defaultSshPath(localPlatform, process.env)`: `'ssh'`, or the OS OpenSSH client on Windows */
  sshPath?: string;
  /** The local platform, for choosing the default ssh client (tests, cross-platform tooling). @default process.platform */
  localPlatform?: NodeJS.Platform;
  /** Local working directory for the ssh process. @default the local home directory (`os.homedir()`) */
  localCwd?: string;
  /**
   * Run locally when the selected remote is unknown or disabled, instead of throwing
   * `REMOTE_NOT_FOUND`. Off by default: a silent local run is the bug this library exists to avoid.
   * @default false
   */
  fallbackToLocal?: boolean;
  /**
   * Called with each {@link SshRunEvent} of the run, in order (`wrapSpawnWithSsh` reports
   * `resolve` and `spawn`). An exception thrown by it fails the run. @default undefined
   */
  onEvent?: (event: SshRunEvent) => void;
}

/**
 * Options for `spawnWithSsh`: everything {@link WrapSpawnOptions} takes, plus how to spawn.
 *
 * @example
 * ```ts
 * const options: SpawnWithSshOptions = { executor: nodeExecutor, keepStdin: true, signal: controller.signal };
 * ```
 */
export interface SpawnWithSshOptions extends WrapSpawnOptions, LineCallbacks, AttachmentOptions {
  /** How processes are started: the run, the pool's masters, the remote kill, `ssh -G`. @default nodeExecutor */
  executor?: SpawnExecutor;
  /** Aborting kills the local process and the remote process group. @default undefined */
  signal?: AbortSignal;
  /**
   * Environment of the LOCAL process (ssh, or the command itself when running locally; then
   * `customEnvVars` and `secretEnv` are added on top). @default process.env
   */
  env?: NodeJS.ProcessEnv;
  /**
   * Answers ssh's passphrase/password prompts (see `createAskpass`). Without it, a remote with a
   * `passphrase` gets a bridge for the duration of the run; otherwise BatchMode forbids prompts.
   * @default undefined
   */
  askpass?: Askpass;
  /**
   * Reuse connections through OpenSSH multiplexing (ControlMaster), with a per-host concurrency
   * limit: `true` for the defaults, or see {@link MultiplexOption}. The lease is held for the
   * whole life of the process. Off on Windows. @default undefined (off)
   */
  multiplex?: MultiplexOption;
  /** The pool `multiplex` leases from. @default defaultConnectionPool */
  connectionPool?: ConnectionPool;
  /**
   * At most this many ssh handshakes to one `host:port` at a time, across every run of this
   * process: a run waits before spawning ssh and holds its slot until the remote script's first
   * status line (the session is authenticated and running) or until ssh ends, whichever comes
   * first. sshd drops new connections at random once `MaxStartups` (default `10:30:100`)
   * unauthenticated ones are pending, so a burst of unpooled runs would otherwise lose some of
   * theirs. Connected runs hold no slot: this never limits how many runs are in flight. Pooled
   * runs (`multiplex`) go through a master and are not gated. `Infinity` turns the gate off; when
   * callers pass different values for one host, the latest one applies. `timeoutMs` and `signal`
   * bound the wait (`spawnWithSsh`: an abort ends the wait and the run is stopped as it starts).
   * @default 8
   */
  maxConcurrentHandshakesPerHost?: number;
  /**
   * When the run is stopped (timeout, abort, `child.kill()`, idle timeout): time between SIGTERM
   * and SIGKILL for the local process, and between TERM and KILL for the remote process group.
   * @default 2000
   */
  killGraceMs?: number;
  /**
   * When the run is stopped, also stop the remote command at once (TERM, then KILL, to its
   * process group over a second ssh connection, through the master when pooled). Without it the
   * lifeline still ends the remote command once sshd notices the local ssh is gone (unless
   * `lifeline: false` or `keepStdin`). @default true
   */
  killRemote?: boolean;
}

/**
 * Options for `runWithSsh`: the spawn options (except `statusMarker`, which is always a fresh
 * random token, and `keepStdin`, since nobody could write to it), plus run limits.
 *
 * @example
 * ```ts
 * const options: RunWithSshOptions = { timeoutMs: 60_000, maxBuffer: 1_000_000, onStderr: (t) => log.warn(t) };
 * ```
 */
export interface RunWithSshOptions extends Omit<SpawnWithSshOptions, 'statusMarker' | 'keepStdin'> {
  /** Kill the run after this many milliseconds (`timedOut: true`); also bounds the wait for a pooled slot. @default undefined (no limit) */
  timeoutMs?: number;
  /** Bytes kept per stream; beyond that the text is truncated and flagged, the stream still drained. @default 100_000_000 */
  maxBuffer?: number;
  /** Called with each decoded chunk of stdout, unlimited by `maxBuffer`. @default undefined */
  onStdout?: (text: string) => void;
  /** Called with each decoded chunk of stderr, status markers already removed. @default undefined */
  onStderr?: (text: string) => void;
  /**
   * The command's stdin, as `ssh host cmd < file` gives it: a string (written as UTF-8), bytes, or
   * a readable stream piped through with backpressure; stdin ends when it ends. Written only once
   * the command has started (its `started` marker; at once for local runs), so a retried
   * connection never loses or repeats a byte. When the prompt also travels on stdin (longer than
   * `promptStdinThreshold`), the command reads the prompt first, then this.
   * With `input` there is no lifeline watcher: the command's stdin is ssh's stdin itself, so when
   * this process or its ssh dies the command reads EOF (like `keepStdin` on `spawnWithSsh`); a
   * command that never reads its stdin is then not stopped by its owner's death.
   * @default undefined (the command's stdin is the prompt, or /dev/null)
   */
  input?: string | Uint8Array | NodeJS.ReadableStream;
  /**
   * Repeat a run that failed before its command started, with a random ("full jitter"),
   * exponentially growing wait in between (see `retryDelay`): `attempts` counts every try, the
   * first one included. Only failures that may go away by themselves are retried: connection
   * refused, the connection closed or reset during the handshake (sshd's `MaxStartups` in a
   * burst), and a pooled run whose master had died. Never auth, host-key, dns, key,
   * agent-not-found or cwd-missing failures, and never a run whose remote script already reported
   * its pid, so a command never runs twice. Each retry emits a `retry` event; `result.attempts`
   * says how many tries were made. `timeoutMs` and `signal` bound the whole run, waits included
   * (a retry whose wait would outlast `timeoutMs` is not made). `false`: one try only.
   * Only `runWithSsh` retries: `spawnWithSsh` resolves as soon as ssh is spawned, before the
   * connection has been tried, and from then on the caller owns that process.
   * @default { attempts: 3, minDelayMs: 100, maxDelayMs: 2000 }
   */
  retry?: RetryOption | false;
  /**
   * Stop the run (local ssh and remote process group, as on timeout) when the command wrote
   * nothing on stdout or stderr for this many ms (`idleTimedOut: true`), for agents that stall
   * silently. Only the command's own output counts: not login-shell noise, not ssh's status
   * lines. The clock starts when the command starts (the `started` marker; a slow login is not
   * an idle agent, and `timeoutMs` bounds the connection) and restarts at every chunk of output.
   * `runWithSsh` only: a `spawnWithSsh` caller reads the streams itself and can stop the child
   * when it sees fit.
   * @default undefined (no limit)
   */
  idleTimeoutMs?: number;
}

/**
 * What `spawnWithSsh` returns.
 *
 * @example
 * ```ts
 * const { child, wrapped, stdinWritten }: SpawnWithSshResult = await spawnWithSsh(config, agentSsh, store);
 * ```
 */
export interface SpawnWithSshResult {
  /** The running process (ssh, or the command itself for a local run). */
  child: ChildProcessLike;
  /** The wrap result that was spawned. */
  wrapped: SshSpawnWrapResult;
  /**
   * Settles when the stdin input is written (and stdin ended, unless `keepStdin`); resolves to
   * the write error, e.g. EPIPE when ssh exited before reading, or `undefined`.
   */
  stdinWritten: Promise<Error | undefined>;
  /**
   * What the remote login shell printed before the command started, kept out of `child.stdout`
   * and `child.stderr` (complete once the child's streams have ended; empty for local runs).
   */
  loginOutput(): LoginOutput;
  /** Why sshwrap stopped the run (`'kill'`, `'abort'`, `'callback-error'`), or `undefined` while it was not stopped. */
  stopReason(): StopReason | undefined;
}

const WRAP_KEYS = { ...REMOTE_WRAP_KEYS, localPlatform: true, fallbackToLocal: true, onEvent: true } as const;
const SPAWN_KEYS = {
  ...WRAP_KEYS,
  executor: true,
  signal: true,
  env: true,
  askpass: true,
  multiplex: true,
  connectionPool: true,
  maxConcurrentHandshakesPerHost: true,
  onStdoutLine: true,
  onStderrLine: true,
  onJsonLine: true,
  onJsonError: true,
  killGraceMs: true,
  killRemote: true,
  attachments: true,
  attachmentArgs: true,
  maxAttachmentBytes: true,
} as const;
const { statusMarker: _marker, keepStdin: _keep, ...RUN_BASE_KEYS } = SPAWN_KEYS;

/** Every key of {@link WrapSpawnOptions}. */
export const WRAP_SPAWN_OPTION_KEYS = optionKeys<WrapSpawnOptions>()(WRAP_KEYS);
/** Every key of {@link SpawnWithSshOptions}. */
export const SPAWN_OPTION_KEYS = optionKeys<SpawnWithSshOptions>()(SPAWN_KEYS);
/** Every key of {@link RunWithSshOptions}. */
export const RUN_OPTION_KEYS = optionKeys<RunWithSshOptions>()({
  ...RUN_BASE_KEYS,
  timeoutMs: true,
  maxBuffer: true,
  onStdout: true,
  onStderr: true,
  retry: true,
  idleTimeoutMs: true,
  input: true,
});
