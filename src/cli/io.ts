/** Where a stream of the CLI writes. `process.stdout` fits, and so does a test's collector. */
export interface CliWritable {
  write(chunk: string | Uint8Array): unknown;
}

/** The signals the CLI reacts to: both stop a running `exec`, remote command included. */
export type CliSignal = 'SIGINT' | 'SIGTERM';

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
  /** Subscribes to SIGINT/SIGTERM; returns the unsubscribe function. */
  onSignal(handler: (signal: CliSignal) => void): () => void;
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
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    readStdin: () => readAll(process.stdin),
    onSignal(handler) {
      const onInt = (): void => handler('SIGINT');
      const onTerm = (): void => handler('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      return () => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
      };
    },
  };
}
