import type { SpawnExecutor } from '../process/executor.js';

/**
 * Where a stream of the CLI writes. `process.stdout` fits, and so does a test's collector.
 *
 * @example
 * ```ts
 * const collector: CliWritable = { write: (chunk) => chunks.push(String(chunk)) };
 * ```
 */
export interface CliWritable {
  write(chunk: string | Uint8Array): unknown;
  /** `true` when this is a terminal (as on `process.stderr`): `exec` shows its progress line only then. */
  isTTY?: boolean | undefined;
}

/**
 * The signals the CLI reacts to: each stops a running `exec`, remote command included.
 * `SIGPIPE` stands for "stdout's reader went away" (EPIPE, e.g. `sshwrap exec … | head -1`);
 * Node ignores the real signal and reports a write error instead.
 *
 * @example
 * ```ts
 * io.onSignal((signal: CliSignal) => controller.abort(signal));
 * ```
 */
export type CliSignal = 'SIGINT' | 'SIGTERM' | 'SIGPIPE';

/**
 * Everything the CLI touches outside its arguments, so commands run in-process in tests.
 *
 * @example
 * ```ts
 * const code = await run(['hosts', '--json'], { ...processIo(), stdout: { write: (s) => chunks.push(String(s)) } });
 * ```
 */
export interface CliIo {
  stdout: CliWritable;
  stderr: CliWritable;
  /** Environment used for defaults (XDG_CONFIG_HOME, HOME). */
  env: NodeJS.ProcessEnv;
  /** Reads all of stdin (for `--prompt-file -`). */
  readStdin(): Promise<string>;
  /**
   * stdin to hand to a remote command, as `ssh host cmd` does, or `undefined` when it is a
   * terminal (the command then gets /dev/null, as with `ssh -n`: sshwrap never allocates a pty).
   * @default undefined (nothing is forwarded)
   */
  forwardedStdin?(): NodeJS.ReadableStream | undefined;
  /** Subscribes to SIGINT/SIGTERM and a closed stdout; returns the unsubscribe function. */
  onSignal(handler: (signal: CliSignal) => void): () => void;
  /**
   * How `exec` starts ssh (and the remote kill after an abort). Tests pass a scripted one.
   * @default detachedExecutor: ssh in its own process group, so a terminal Ctrl-C reaches only sshwrap
   */
  executor?: SpawnExecutor | undefined;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The real process: its stdout/stderr, env, stdin and signals.
 *
 * @example
 * ```ts
 * process.exitCode = await run(process.argv.slice(2), processIo());
 * ```
 */
export function processIo(): CliIo {
  const pipeHandlers = new Set<(signal: CliSignal) => void>();
  // Without a listener an EPIPE on stdout is an uncaught exception with a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    for (const handler of pipeHandlers) handler('SIGPIPE');
  });
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    readStdin: () => readAll(process.stdin),
    forwardedStdin: () => (process.stdin.isTTY ? undefined : process.stdin),
    onSignal(handler) {
      const onInt = (): void => handler('SIGINT');
      const onTerm = (): void => handler('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      pipeHandlers.add(handler);
      return () => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
        pipeHandlers.delete(handler);
      };
    },
  };
}
