import { execFile } from 'node:child_process';

export interface RunResult {
  stdout: string;
  stderr: string;
}

/**
 * execFile with a hard timeout: every external tool the testbed drives (ssh-keygen,
 * useradd, getent) must fail loudly rather than hang a test run.
 */
export function run(
  file: string,
  args: readonly string[],
  opts: { timeoutMs?: number; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { timeout: opts.timeoutMs ?? 15_000, encoding: 'utf8', maxBuffer: 4 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          const detail = stderr.trim() || stdout.trim();
          reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}${detail ? `\n${detail}` : ''}`));
          return;
        }
        resolve({ stdout, stderr });
      },
    );
    // Tools that exit without reading stdin would otherwise surface as an EPIPE crash.
    child.stdin?.on('error', () => {});
    child.stdin?.end(opts.input);
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
