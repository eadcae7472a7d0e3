import { spawn, type ChildProcess } from 'node:child_process';

/** How a helper ssh process (check, exit, master start, remote kill) ended. */
export interface SshCommandResult {
  /** Exit status, `null` when killed by a signal or never started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Killed because it outlived `timeoutMs`. */
  timedOut: boolean;
  /** Set when the process could not be started (ENOENT, ...). */
  spawnError?: Error;
}

/** Options for {@link runSshCommand}. */
export interface SshCommandOptions {
  /** Hard limit: SIGKILL after this many ms. Every helper ssh is bounded. */
  timeoutMs: number;
  /** Live processes are added here while they run, so a shutdown can kill them. */
  tracker?: Set<ChildProcess>;
  /** Environment of the ssh process (e.g. SSH_ASKPASS for a passphrase-protected key). @default process.env */
  env?: NodeJS.ProcessEnv | undefined;
  /** Sees stderr as it arrives; may kill the process early (e.g. ssh refusing to become a master). */
  onStderr?: (stderrSoFar: string, child: ChildProcess) => void;
}

const MAX_CAPTURE = 64 * 1024;

/**
 * Runs one short ssh helper with stdin closed, capturing (at most 64 KiB of) stdout and stderr.
 * Never rejects: failures are data in the result.
 */
export function runSshCommand(sshPath: string, args: readonly string[], options: SshCommandOptions): Promise<SshCommandResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let child: ChildProcess;
    try {
      child = spawn(sshPath, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true, ...(options.env ? { env: options.env } : {}) });
    } catch (error) {
      resolve({ code: null, signal: null, stdout, stderr, timedOut, spawnError: error as Error });
      return;
    }
    options.tracker?.add(child);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < MAX_CAPTURE) stdout += chunk;
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < MAX_CAPTURE) stderr += chunk;
      options.onStderr?.(stderr, child);
    });
    let spawnError: Error | undefined;
    child.once('error', (error) => {
      spawnError = error;
    });
    // 'close', not 'exit': stdio is fully read. A master that ssh backgrounds redirects its own
    // stdio to /dev/null (OpenSSH control_persist_detach), so this does not wait for the master.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      options.tracker?.delete(child);
      resolve({ code, signal, stdout, stderr, timedOut, ...(spawnError ? { spawnError } : {}) });
    });
  });
}
