import { buildKillScript } from '../pool/kill-remote.js';
import type { SshRemoteConfig } from '../schemas/index.js';
import { buildSshArgs, anyShellCommand } from '../wrap/index.js';
import { type ChildProcessLike, type SpawnExecutor } from '../process/executor.js';
import { runCommand } from '../process/run-command.js';

/** Resolves when the child has exited (immediately if it already has). */
export function whenExited(child: ChildProcessLike): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function delay(ms: number): Promise<'timeout'> {
  return new Promise((resolve) => setTimeout(() => resolve('timeout'), ms).unref?.());
}

/**
 * SIGTERM, then SIGKILL if the process is still there after `graceMs`; resolves when it exited
 * or, at the latest, `graceMs + 5 s` later (a process stuck in the kernel cannot block us).
 *
 * @example
 * ```ts
 * await terminateChild(child, 2000);
 * ```
 */
export async function terminateChild(child: ChildProcessLike, graceMs: number): Promise<void> {
  const exited = whenExited(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if ((await Promise.race([exited.then(() => 'exited' as const), delay(graceMs)])) === 'exited') return;
  child.kill('SIGKILL');
  await Promise.race([exited, delay(5_000)]);
}

/** Upper bound for stopping a remote command over a second connection (TERM, 2 s, KILL). */
export const REMOTE_KILL_TIMEOUT_MS = 8_000;

/** How {@link killRemoteProcessGroup} connects (the same settings the run used). */
export interface RemoteKillOptions {
  executor: SpawnExecutor;
  sshPath: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  managedSshOptions?: Record<string, string> | undefined;
  allowUnsafeOptions?: string[] | undefined;
  sshConfigFile?: string | undefined;
  /** Upper bound for the whole attempt. */
  timeoutMs: number;
}

/**
 * The remote side of a cancelled run: killing the local ssh does not stop the remote command
 * (sshd leaves a no-tty session's processes running), so the remote script's pid, which leads its
 * own session and process group, is signalled with the pool's kill script (TERM, then KILL).
 * Best effort: signals the remote process group `pid` over a new ssh connection and resolves
 * when that ssh exits or `timeoutMs` passed (then it is killed). Never rejects.
 */
export async function killRemoteProcessGroup(remote: SshRemoteConfig, pid: number, options: RemoteKillOptions): Promise<void> {
  // `kill -TERM -1` would signal every process of the remote user.
  if (!Number.isSafeInteger(pid) || pid <= 1) return;
  let args: string[];
  try {
    args = buildSshArgs(remote, anyShellCommand(buildKillScript(pid, 'TERM', 2_000)), {
      // Use a running master if there is one, but never become one: this connection is a one-off.
      managedOptions: options.managedSshOptions ? { ...options.managedSshOptions, ControlMaster: 'no' } : undefined,
      allowUnsafeOptions: options.allowUnsafeOptions,
      configFile: options.sshConfigFile,
      sshPath: options.sshPath,
    });
  } catch {
    return;
  }
  await runCommand(options.executor, options.sshPath, args, { cwd: options.cwd, env: options.env, timeoutMs: options.timeoutMs });
}
