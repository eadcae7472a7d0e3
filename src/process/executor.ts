import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/**
 * The part of a child process sshwrap uses. Node's `ChildProcess`, an execa subprocess and
 * anything that emits the same events (`spawn`, `error`, `exit`, `close`) fit. It must emit
 * `'spawn'` once running or `'error'` if it cannot start; an object that is also a promise
 * (execa) may instead settle before `'spawn'` to say it never started.
 *
 * @example
 * ```ts
 * const child: ChildProcessLike = spawn('ssh', ['-V']);
 * ```
 */
export interface ChildProcessLike {
  /** Set once the process started; `undefined` when spawning failed. */
  readonly pid?: number | undefined;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** Exit status once exited normally, else `null`. */
  readonly exitCode: number | null;
  /** Terminating signal once killed, else `null`. */
  readonly signalCode: NodeJS.Signals | string | null;
  kill(signal?: NodeJS.Signals | number): boolean;
  on(event: 'spawn', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'exit' | 'close', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  once(event: 'spawn', listener: () => void): unknown;
  once(event: 'error', listener: (error: Error) => void): unknown;
  once(event: 'exit' | 'close', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- must accept every listener shape above
  removeListener(event: string, listener: (...args: any[]) => void): unknown;
}

/**
 * What {@link SpawnExecutor.spawn} receives besides the command and its arguments.
 *
 * @example
 * ```ts
 * const options: SpawnExecutorOptions = { cwd: os.homedir(), env: process.env };
 * ```
 */
export interface SpawnExecutorOptions {
  /** Local working directory. */
  cwd: string;
  /** The complete environment (not merged with `process.env` by the executor); `undefined` = inherit. */
  env?: NodeJS.ProcessEnv | undefined;
  /** Aborting kills the process (executors may ignore it: sshwrap kills on abort itself). */
  signal?: AbortSignal | undefined;
}

/**
 * Starts a process with piped stdin, stdout and stderr. Swap it to run through execa, an
 * Electron `utilityProcess`, a sandbox, or a fake in tests.
 *
 * @example
 * ```ts
 * import { execa } from 'execa';
 * const execaExecutor: SpawnExecutor = {
 *   spawn: (command, args, { cwd, env, signal }) =>
 *     execa(command, args, { cwd, env, extendEnv: false, cancelSignal: signal, buffer: false, stdin: 'pipe', reject: false }),
 * };
 * ```
 */
export interface SpawnExecutor {
  spawn(command: string, args: readonly string[], options: SpawnExecutorOptions): ChildProcessLike;
}

/**
 * The default {@link SpawnExecutor}: `node:child_process.spawn` with all three stdio pipes and
 * no shell, so arguments reach the process exactly as given.
 *
 * @example
 * ```ts
 * const child = nodeExecutor.spawn('ssh', ['-V'], { cwd: os.homedir() });
 * ```
 */
export const nodeExecutor: SpawnExecutor = Object.freeze({
  spawn: (command: string, args: readonly string[], options: SpawnExecutorOptions): ChildProcessLike => spawnPiped(command, args, options, false),
});

function spawnPiped(command: string, args: readonly string[], options: SpawnExecutorOptions, detached: boolean): ChildProcessLike {
  return spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    signal: options.signal,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached,
    windowsHide: true,
  });
}

/**
 * {@link nodeExecutor}, but the process leads its own process group. A Ctrl-C in the terminal
 * signals the whole foreground group; if ssh got it too it would die on the spot, the remote
 * command would keep running (without a tty sshd does not hang it up) and the run could no longer
 * stop it. Detached, only sshwrap receives the signal and aborts the run, which stops the remote
 * command first. The sshwrap CLI uses it.
 *
 * @example
 * ```ts
 * await runWithSsh(config, agentSsh, store, { executor: detachedExecutor, signal });
 * ```
 */
export const detachedExecutor: SpawnExecutor = Object.freeze({
  spawn: (command: string, args: readonly string[], options: SpawnExecutorOptions): ChildProcessLike => spawnPiped(command, args, options, true),
});
