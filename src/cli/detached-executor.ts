import { spawn } from 'node:child_process';
import type { ChildProcessLike, SpawnExecutor, SpawnExecutorOptions } from '../exec/index.js';

/**
 * Starts ssh in its own process group. A Ctrl-C in the terminal signals the whole foreground
 * group; if ssh got it too it would die on the spot, the remote command would keep running
 * (without a tty sshd does not hang it up) and the run could no longer stop it. Detached, only
 * sshwrap receives the signal and aborts the run, which stops the remote command first.
 *
 * @example
 * ```ts
 * await runWithSsh(config, agentSsh, store, { executor: detachedExecutor, signal });
 * ```
 */
export const detachedExecutor: SpawnExecutor = Object.freeze({
  spawn(command: string, args: readonly string[], options: SpawnExecutorOptions): ChildProcessLike {
    return spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env,
      signal: options.signal,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      windowsHide: true,
    });
  },
});
