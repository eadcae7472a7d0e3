import type { SshFailureKind } from '../classify/index.js';
import type { ParsedSshSpawnWrapConfig, SshRemoteConfig } from '../schemas/index.js';
import { isSecretEnvName, redactValues, splitEnvForTransport, type EnvOnStdin } from '../wrap/index.js';

/**
 * What happens during a run, in order, for logs, progress UIs and tracing (`onEvent`). For a
 * normal remote run: `resolve` → `connect` → `spawn` → `started` → `first-byte` → `exit`; a run
 * that failed before its command started has `error` before `exit`; a pooled run repeated on a
 * fresh master has `retry`. Local runs (SSH off) have no `connect`. Every event carries `at`
 * (ms since the epoch). No event ever holds an env value that travels on stdin, a `secretEnv`
 * value, a secret-looking env value or a passphrase.
 *
 * - `resolve`: the agent's remote was picked (`remoteId`/`host` are `null` for a local run).
 * - `connect`: the ssh session is up and the remote script runs; `reused` when it went through an
 *   already-running ControlMaster; `ms` since ssh was started.
 * - `spawn`: the command about to run (`remote`: over ssh), with secret values redacted.
 * - `started`: the command runs; `remotePid` leads its remote process group.
 * - `first-byte`: its first output byte on `stream`, `ms` after ssh was started.
 * - `retry`: the run is repeated (`attempt` 1 = first repeat) after `errorKind`, in `delayMs`.
 * - `exit`: the run is over (see `SshRunResult` for the same fields).
 * - `error`: the command did not run (`errorKind`, `hint`, `message` as in `SshRunResult`).
 *
 * @example
 * ```ts
 * await runWithSsh(config, agentSsh, store, {
 *   onEvent: (event) => logger.info({ ...event }, `sshwrap ${event.type}`),
 * });
 * ```
 */
export type SshRunEvent =
  | { type: 'resolve'; at: number; remoteId: string | null; host: string | null }
  | { type: 'connect'; at: number; reused: boolean; ms: number }
  | { type: 'spawn'; at: number; remote: boolean; command: string; args: string[] }
  | { type: 'started'; at: number; remotePid?: number }
  | { type: 'first-byte'; at: number; stream: 'stdout' | 'stderr'; ms: number }
  | { type: 'retry'; at: number; attempt: number; errorKind: SshFailureKind; delayMs: number }
  | { type: 'exit'; at: number; exitCode: number | null; remoteExitCode?: number; durationMs: number }
  | { type: 'error'; at: number; errorKind: SshFailureKind; hint?: string; message: string };

/** An event as emitted, before the time stamp is added. */
export type SshRunEventInput = SshRunEvent extends infer E ? (E extends SshRunEvent ? Omit<E, 'at'> : never) : never;

/**
 * Calls the caller's callbacks (events, lines, JSON) for one run. A callback that throws fails
 * the run (like execa's transforms): the first error is kept, `onFail` stops the run, and the
 * runner rethrows it once the processes are gone. Nothing a callback does can crash the process
 * from inside a stream handler.
 */
export class RunCallbacks {
  /** The first error a callback threw. */
  error: unknown;
  private failed = false;
  onFail: () => void = () => {};

  constructor(private readonly onEvent?: ((event: SshRunEvent) => void) | undefined) {}

  call<A extends unknown[]>(callback: ((...args: A) => void) | undefined, ...args: A): void {
    if (!callback || this.failed) return;
    try {
      callback(...args);
    } catch (error) {
      this.failed = true;
      this.error = error;
      this.onFail();
    }
  }

  emit(event: SshRunEventInput): void {
    this.call(this.onEvent, { ...event, at: Date.now() } as SshRunEvent);
  }

  /** Rethrows what a callback threw, if anything. */
  rethrow(): void {
    if (this.failed) throw this.error;
  }
}

/**
 * The command and arguments for the `spawn` event, with every value that must not be shown
 * replaced by `<redacted>`: env values that travel on stdin or have secret-looking names,
 * `secretEnv` values and the passphrase, wherever they appear in an argument.
 */
export function spawnDescription(
  config: ParsedSshSpawnWrapConfig,
  remote: SshRemoteConfig | null,
  options: { secretEnv?: Record<string, string> | undefined; envOnStdin?: EnvOnStdin | undefined },
): { command: string; args: string[] } {
  const env = { ...remote?.remoteEnv, ...config.customEnvVars };
  const hidden = [
    ...Object.values(splitEnvForTransport(env, options.envOnStdin).stdin),
    ...Object.entries(env).flatMap(([name, value]) => (isSecretEnvName(name) ? [value] : [])),
    ...Object.values(options.secretEnv ?? {}),
    ...(remote?.passphrase !== undefined ? [remote.passphrase] : []),
  ];
  const redact = (text: string): string => redactValues(text, hidden);
  return { command: redact(remote ? (config.agentBinaryName ?? config.command) : config.command), args: config.args.map(redact) };
}

/**
 * Turns what a run reports (status markers, output) into its events, the same way for
 * `runWithSsh` and `spawnWithSsh`: `connect` and `spawn` at the remote script's first report,
 * `started` when the command runs, then `first-byte` at its first output. Local runs start at once.
 */
export class RunProgress {
  private readonly startedAt = Date.now();
  private pidSeen = false;
  private commandRunning: boolean;
  private firstBytePending: 'stdout' | 'stderr' | undefined;
  private firstByteSent = false;
  /** The pid the remote script reported first (it leads the remote process group). */
  remotePid: number | undefined;

  constructor(
    private readonly callbacks: RunCallbacks,
    private readonly spawn: { remote: boolean; command: string; args: string[] },
    private readonly reused: boolean,
  ) {
    this.commandRunning = !spawn.remote;
    if (!spawn.remote) {
      callbacks.emit({ type: 'spawn', ...spawn });
      callbacks.emit({ type: 'started' });
    }
  }

  marker(marker: { event: string; value?: number | undefined }): void {
    if (marker.event === 'pid' && !this.pidSeen) {
      this.pidSeen = true;
      // pid 0 or 1 would mean "every process": never reported as the run's.
      if ((marker.value ?? 0) > 1) this.remotePid = marker.value;
      this.callbacks.emit({ type: 'connect', reused: this.reused, ms: Date.now() - this.startedAt });
      this.callbacks.emit({ type: 'spawn', ...this.spawn });
    }
    if (marker.event === 'started' && !this.commandRunning) {
      this.commandRunning = true;
      this.callbacks.emit({ type: 'started', ...(this.remotePid !== undefined ? { remotePid: this.remotePid } : {}) });
      // stdout and stderr are separate pipes: output read before this line is reported now.
      if (this.firstBytePending !== undefined) this.firstByte(this.firstBytePending);
    }
  }

  output(stream: 'stdout' | 'stderr'): void {
    if (this.firstByteSent) return;
    if (this.commandRunning) this.firstByte(stream);
    else this.firstBytePending ??= stream;
  }

  /** Milliseconds since the process was started. */
  elapsed(): number {
    return Date.now() - this.startedAt;
  }

  private firstByte(stream: 'stdout' | 'stderr'): void {
    this.firstByteSent = true;
    this.callbacks.emit({ type: 'first-byte', stream, ms: Date.now() - this.startedAt });
  }
}
