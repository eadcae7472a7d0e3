import { execFile } from 'node:child_process';

/**
 * What one finished run of a short-lived command reports.
 *
 * @example
 * ```ts
 * const result: ExecFileResult = { stdout: 'user dev\n', stderr: '', exitCode: 0 };
 * ```
 */
export interface ExecFileResult {
  stdout: string;
  stderr: string;
  /** The exit status, or `null` when the process was killed by a signal. */
  exitCode: number | null;
}

/**
 * Runs a short-lived command to completion. The only I/O seam of `src/resolve`: inject one to
 * test without spawning, or to run `ssh -G` somewhere else (a container, a utility process).
 *
 * Contract: a non-zero exit RESOLVES with its `exitCode` (it is data, e.g. ssh's config
 * errors); only "could not run at all" (ENOENT, EACCES) and aborts REJECT.
 *
 * @example
 * ```ts
 * const fake: ExecFileExecutor = {
 *   execFile: async () => ({ stdout: 'user dev\nhostname gpu.example.com\nport 22\n', stderr: '', exitCode: 0 }),
 * };
 * await resolveSshConfigHost('gpu', { executor: fake });
 * ```
 */
export interface ExecFileExecutor {
  execFile(
    command: string,
    args: readonly string[],
    options: { signal?: AbortSignal | undefined; timeoutMs: number },
  ): Promise<ExecFileResult>;
}

// `ssh -G` prints about 4 KB; 1 MB leaves room for huge configs without unbounded buffering.
const MAX_BUFFER = 1024 * 1024;

/**
 * The default {@link ExecFileExecutor}: `node:child_process.execFile`, no shell, stdin closed,
 * killed after `timeoutMs`.
 *
 * @example
 * ```ts
 * const { stdout } = await nodeExecFileExecutor.execFile('ssh', ['-G', '--', 'gpu'], { timeoutMs: 10_000 });
 * ```
 */
export const nodeExecFileExecutor: ExecFileExecutor = {
  execFile(command, args, { signal, timeoutMs }) {
    return new Promise((resolve, reject) => {
      const child = execFile(
        command,
        [...args],
        { encoding: 'utf8', maxBuffer: MAX_BUFFER, timeout: timeoutMs, killSignal: 'SIGKILL', ...(signal ? { signal } : {}) },
        (error, stdout, stderr) => {
          if (!error) return resolve({ stdout, stderr, exitCode: 0 });
          // execFile reports a non-zero exit as an error whose `code` is the number.
          const code = (error as NodeJS.ErrnoException & { code?: unknown }).code;
          if (typeof code === 'number') return resolve({ stdout, stderr, exitCode: code });
          if (error.killed && !signal?.aborted) {
            return resolve({ stdout, stderr: `${stderr}${stderr.endsWith('\n') || !stderr ? '' : '\n'}killed after ${timeoutMs} ms`, exitCode: null });
          }
          reject(error);
        },
      );
      // `ssh -G` never reads stdin, but an injected Match exec command might; never let it wait.
      child.stdin?.end();
    });
  },
};
