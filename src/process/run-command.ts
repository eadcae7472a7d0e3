import type { ChildProcessLike, SpawnExecutor } from './executor.js';

/**
 * How a short command run by {@link runCommand} ended. Every failure is data: `runCommand` never
 * rejects.
 *
 * @example
 * ```ts
 * const result: RunCommandResult = { code: 0, signal: null, stdout: 'Master running (pid=42)\n', stderr: '', timedOut: false, aborted: false };
 * ```
 */
export interface RunCommandResult {
  /** Exit status; `null` when killed by a signal or never started. */
  code: number | null;
  /** Terminating signal, else `null`. */
  signal: NodeJS.Signals | null;
  /** Captured stdout (UTF-8), at most `maxCaptureChars` characters. */
  stdout: string;
  /** Captured stderr (UTF-8), at most `maxCaptureChars` characters. */
  stderr: string;
  /** Killed because it outlived `timeoutMs`. */
  timedOut: boolean;
  /** Killed (or never started) because `signal` was aborted. */
  aborted: boolean;
  /** Set when the process could not be started (ENOENT, EACCES, an executor that threw). */
  spawnError?: Error;
}

/**
 * Options of {@link runCommand}.
 *
 * @example
 * ```ts
 * const options: RunCommandOptions = { timeoutMs: 5_000, env: { ...process.env, SSH_ASKPASS: helper } };
 * ```
 */
export interface RunCommandOptions {
  /** Hard limit in milliseconds: the process gets SIGKILL after this long. Required: every helper is bounded. */
  timeoutMs: number;
  /** Local working directory. @default process.cwd() (so a relative `-F` file resolves as the caller expects) */
  cwd?: string | undefined;
  /** The complete environment of the process. @default undefined (inherit `process.env`) */
  env?: NodeJS.ProcessEnv | undefined;
  /** Written to stdin, which is then ended. @default undefined (stdin is ended at once) */
  input?: string | undefined;
  /** Aborting kills the process with SIGKILL (`aborted: true`); already aborted = nothing is started. */
  signal?: AbortSignal | undefined;
  /** Characters kept per stream; the rest is read and dropped. @default 65536 */
  maxCaptureChars?: number | undefined;
  /** Sees stderr as it arrives (everything so far, capped like the result); may kill the process early. */
  onStderr?: ((stderrSoFar: string, child: ChildProcessLike) => void) | undefined;
  /** The live process is in this set while it runs, so a shutdown can kill it. */
  tracker?: Set<ChildProcessLike> | undefined;
}

const DEFAULT_MAX_CAPTURE = 64 * 1024;
/**
 * After SIGKILL, how long to wait for 'close'. A grandchild that inherited the pipes (a
 * ProxyCommand) can keep them open after the process died; the bound must hold anyway.
 */
const CLOSE_AFTER_KILL_MS = 2_000;

function currentDir(): string {
  // process.cwd() throws when the directory was deleted; the error then surfaces as spawnError.
  return process.cwd();
}

/**
 * Runs a short command to completion through `executor`: the one way sshwrap runs its helper
 * processes (`ssh -O check/exit`, master starts, `ssh -G`, remote kills), so an injected executor
 * sees all of them.
 *
 * Resolves on `'close'`, when stdout and stderr are fully read, not on `'exit'`. A process that
 * leaves a daemon behind must detach the daemon's stdio (OpenSSH's ControlPersist master does,
 * control_persist_detach), else this waits for the daemon until `timeoutMs`.
 *
 * Never rejects: a start failure is `spawnError`, a timeout `timedOut`, an abort `aborted`.
 *
 * @example
 * ```ts
 * const result = await runCommand(nodeExecutor, 'ssh', ['-G', '--', 'gpu'], { timeoutMs: 10_000 });
 * if (result.code === 0) console.log(result.stdout);
 * ```
 */
export function runCommand(executor: SpawnExecutor, command: string, args: readonly string[], options: RunCommandOptions): Promise<RunCommandResult> {
  const maxCapture = options.maxCaptureChars ?? DEFAULT_MAX_CAPTURE;
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let aborted = false;
    let spawnError: Error | undefined;
    let settled = false;
    const result = (code: number | null, signal: NodeJS.Signals | null): RunCommandResult => ({
      code,
      signal,
      stdout,
      stderr,
      timedOut,
      aborted,
      ...(spawnError ? { spawnError } : {}),
    });

    if (options.signal?.aborted) {
      aborted = true;
      resolve(result(null, null));
      return;
    }
    let child: ChildProcessLike;
    try {
      child = executor.spawn(command, args, { cwd: options.cwd ?? currentDir(), env: options.env });
    } catch (error) {
      spawnError = error instanceof Error ? error : new Error(String(error));
      resolve(result(null, null));
      return;
    }
    options.tracker?.add(child);

    let giveUp: NodeJS.Timeout | undefined;
    const kill = (): void => {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
      giveUp ??= setTimeout(() => {
        for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.destroy();
        finish(child.exitCode, (child.signalCode as NodeJS.Signals | null) ?? 'SIGKILL');
      }, CLOSE_AFTER_KILL_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      kill();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(giveUp);
      options.signal?.removeEventListener('abort', onAbort);
      options.tracker?.delete(child);
      resolve(result(code, signal));
    };

    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < maxCapture) stdout += chunk.slice(0, maxCapture - stdout.length);
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < maxCapture) stderr += chunk.slice(0, maxCapture - stderr.length);
      options.onStderr?.(stderr, child);
    });
    let spawned = false;
    child.once('spawn', () => {
      spawned = true;
    });
    child.on('error', (error) => {
      spawnError ??= error;
      // Never started: an executor need not emit 'close' after that, so do not wait for it.
      if (!spawned && child.pid === undefined) {
        for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.destroy();
        finish(null, null);
      }
    });
    child.once('close', (code, signal) => finish(code, signal));
    // execa reports a synchronous spawn failure (E2BIG) only through its promise, with a stand-in
    // process that emits nothing: a promise that settles before 'spawn' means it never started.
    if (typeof (child as { then?: unknown }).then === 'function') {
      const neverStarted = (cause: unknown): void => {
        if (spawned) return;
        spawnError ??= cause instanceof Error ? cause : new Error('the process exited before it started');
        finish(null, null);
      };
      (child as unknown as PromiseLike<unknown>).then(
        (value) => neverStarted((value as { cause?: unknown } | undefined)?.cause),
        (error: unknown) => neverStarted((error as { cause?: unknown } | undefined)?.cause ?? error),
      );
    }

    const stdin = child.stdin;
    if (stdin) {
      // EPIPE when the command exits without reading; its exit status tells what happened.
      stdin.on('error', () => {});
      stdin.end(options.input ?? '');
    }
  });
}
