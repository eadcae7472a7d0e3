import { spawn } from 'node:child_process';

export interface RawResult {
  code: number | null;
  stderr: string;
  ms: number;
}

/**
 * Plain `ssh <args>` with stdin from `input` (or closed), stdout discarded, bounded by
 * `timeoutMs`: the baseline every library figure is divided by.
 */
export function rawSsh(args: readonly string[], options: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<RawResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('ssh', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdin.on('error', () => {});
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('error', (error) => (stderr += String(error)));
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, ms: performance.now() - started });
    });
  });
}
