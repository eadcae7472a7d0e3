import fs from 'node:fs';
import { nodeExecutor, type ChildProcessLike, type SpawnExecutor } from '../process/executor.js';
import { runCommand, type RunCommandOptions, type RunCommandResult } from '../process/run-command.js';
import type { SshRemoteConfig } from '../schemas/index.js';
import { buildSshArgs } from '../wrap/index.js';

/**
 * Where helper commands find the ssh binary and config, as for the runs themselves.
 *
 * @example
 * ```ts
 * const context: MasterCommandContext = { sshPath: '/usr/bin/ssh', executor: nodeExecutor };
 * ```
 */
export interface MasterCommandContext {
  /** ssh client binary. @default 'ssh' */
  sshPath?: string | undefined;
  /** `-F` file for `useSshConfig` remotes. */
  sshConfigFile?: string | undefined;
  /** Command-executing customOptions the caller allowed (passed through to {@link buildSshArgs}). */
  allowUnsafeOptions?: readonly string[] | undefined;
  /** Starts every helper ssh (`-G`, `-O check`, `-O exit`, the master itself). @default nodeExecutor */
  executor?: SpawnExecutor | undefined;
  /** Helper processes are tracked here while they run. */
  tracker?: Set<ChildProcessLike> | undefined;
  /**
   * Environment for starting a master, as the run would get it (SSH_ASKPASS and friends for a
   * passphrase-protected key). @default process.env
   */
  env?: NodeJS.ProcessEnv | undefined;
  /** Extra ssh options for starting a master (e.g. `BatchMode=no` with an askpass bridge). */
  managedSshOptions?: Record<string, string> | undefined;
}

/**
 * Result of `ssh -O check`.
 *
 * @example
 * ```ts
 * const status: MasterStatus = await checkMaster('/tmp/sshwrap-1000/abc-0'); // { running: true, pid: 4242, message: 'Master running (pid=4242)' }
 * ```
 */
export interface MasterStatus {
  /** A master answered on the socket. */
  running: boolean;
  /** The master's pid, when it answered. */
  pid?: number;
  /** ssh's own words (`Master running (pid=…)`, `Control socket connect(…): …`). */
  message: string;
}

/**
 * What `sshMasterControl`.start did.
 *
 * @example
 * ```ts
 * const started: MasterStartResult = { outcome: 'failed', code: 255, stderr: 'Permission denied (publickey).' };
 * ```
 */
export type MasterStartResult =
  | { outcome: 'started' }
  /** Another process bound the socket first; its master is used. */
  | { outcome: 'exists' }
  | { outcome: 'failed'; code: number | null; stderr: string };

const CHECK_TIMEOUT_MS = 5_000;
/** ConnectTimeout (10 s by default) plus authentication and a margin. */
const START_TIMEOUT_MS = 30_000;
const EXIT_WAIT_MS = 2_000;
// `-O` commands only use the socket; the destination is a placeholder ssh never resolves.
const PLACEHOLDER_HOST = 'sshwrap-master';

function runSsh(context: MasterCommandContext, args: readonly string[], options: Omit<RunCommandOptions, 'tracker'>): Promise<RunCommandResult> {
  return runCommand(context.executor ?? nodeExecutor, context.sshPath ?? 'ssh', args, { ...options, tracker: context.tracker });
}

function controlArgs(socketPath: string, command: 'check' | 'exit'): string[] {
  // -F none: nothing from ~/.ssh/config (a Match exec, another ControlPath) takes part.
  return ['-F', 'none', '-S', socketPath, '-O', command, '--', PLACEHOLDER_HOST];
}

/**
 * `ssh -S <socket> -O check`: whether a master answers on `socketPath`, and its pid.
 *
 * @example
 * ```ts
 * const status = await checkMaster('/tmp/sshwrap-1000/0123…-3f2a9c01b7de-0');
 * if (status.running) console.log(`master pid ${status.pid}`);
 * ```
 */
export async function checkMaster(socketPath: string, context: MasterCommandContext = {}): Promise<MasterStatus> {
  const result = await runSsh(context, controlArgs(socketPath, 'check'), { timeoutMs: CHECK_TIMEOUT_MS });
  const message = (result.stderr || result.stdout).trim();
  const pid = /pid=(\d+)/.exec(message)?.[1];
  return { running: result.code === 0, ...(pid ? { pid: Number(pid) } : {}), message };
}

function isSocket(socketPath: string): boolean {
  try {
    return fs.lstatSync(socketPath).isSocket();
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

/**
 * Stops the master on `socketPath` (`ssh -O exit`, which also ends its sessions) and makes sure
 * nothing is left: waits for the master to go, SIGKILLs its pid if it lingers, removes a stale
 * socket. Resolves whether a master was running.
 *
 * @example
 * ```ts
 * await exitMaster(lease.controlPath!);
 * ```
 */
export async function exitMaster(socketPath: string, context: MasterCommandContext = {}): Promise<boolean> {
  const status = await checkMaster(socketPath, context);
  if (status.running) {
    await runSsh(context, controlArgs(socketPath, 'exit'), { timeoutMs: CHECK_TIMEOUT_MS });
    const pid = status.pid;
    const gone = await waitFor(() => (pid === undefined || !isAlive(pid)) && !isSocket(socketPath), EXIT_WAIT_MS);
    if (!gone && pid !== undefined && isAlive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
      await waitFor(() => !isAlive(pid), EXIT_WAIT_MS);
    }
  }
  removeStaleSocket(socketPath);
  return status.running;
}

/** Deletes `socketPath` if it is a socket (never anything else: the path is ours, but be strict). */
export function removeStaleSocket(socketPath: string): void {
  if (!isSocket(socketPath)) return;
  try {
    fs.unlinkSync(socketPath);
  } catch {
    // already removed by the master or another process
  }
}

/**
 * The ControlPath ssh will really use for `template` on this remote (`%C` expanded after
 * ~/.ssh/config), from `ssh -G`. `null` when ssh cannot tell.
 */
export async function resolveControlPath(remote: SshRemoteConfig, template: string, context: MasterCommandContext = {}): Promise<string | null> {
  const args = buildSshArgs(remote, undefined, {
    managedOptions: { ControlPath: template },
    allowUnsafeOptions: context.allowUnsafeOptions,
    configFile: context.sshConfigFile,
    sshPath: context.sshPath,
  });
  const result = await runSsh(context, ['-G', ...args], { timeoutMs: CHECK_TIMEOUT_MS });
  if (result.code !== 0) return null;
  const line = result.stdout.split('\n').find((entry) => entry.toLowerCase().startsWith('controlpath '));
  const value = line?.slice('controlpath '.length).trim();
  return value && value !== 'none' && !value.includes('%') ? value : null;
}

/**
 * Starts a background master: `ssh -N -o ControlMaster=yes -o ControlPersist=<s>`. With
 * ControlPersist, ssh forks the master off after authentication and the foreground process exits
 * 0, so "exited 0" means "socket bound, master ready". No `-f`: if another process bound the
 * socket first, ssh prints "ControlSocket … already exists, disabling multiplexing" and carries on
 * as a plain connection in the foreground, which we then kill by pid (with `-f` it would be an
 * untraceable orphan).
 */
export async function startMaster(
  remote: SshRemoteConfig,
  template: string,
  persistSeconds: number,
  context: MasterCommandContext = {},
): Promise<MasterStartResult> {
  const args = buildSshArgs(remote, undefined, {
    managedOptions: { ...context.managedSshOptions, ControlMaster: 'yes', ControlPath: template, ControlPersist: String(persistSeconds) },
    allowUnsafeOptions: context.allowUnsafeOptions,
    configFile: context.sshConfigFile,
    sshPath: context.sshPath,
  });
  let lostRace = false;
  // Waiting for 'close' is safe: the ControlPersist fork detaches its stdio, so only the
  // foreground ssh holds the pipes.
  const result = await runSsh(context, ['-N', ...args], {
    timeoutMs: START_TIMEOUT_MS,
    env: context.env,
    onStderr: (stderr, child) => {
      if (!lostRace && /already exists, disabling multiplexing/.test(stderr)) {
        lostRace = true;
        child.kill('SIGTERM');
      }
    },
  });
  if (lostRace) return { outcome: 'exists' };
  if (result.code === 0) return { outcome: 'started' };
  return { outcome: 'failed', code: result.code, stderr: result.spawnError ? result.spawnError.message : result.stderr };
}

/**
 * Everything the pool does to masters; swapped for a fake in unit tests.
 *
 * @example
 * ```ts
 * const control: MasterControl = sshMasterControl; // or a fake in tests (ConnectionPoolOptions.masterControl)
 * ```
 */
export interface MasterControl {
  resolveControlPath(remote: SshRemoteConfig, template: string, context: MasterCommandContext): Promise<string | null>;
  check(socketPath: string, context: MasterCommandContext): Promise<MasterStatus>;
  start(remote: SshRemoteConfig, template: string, persistSeconds: number, context: MasterCommandContext): Promise<MasterStartResult>;
  exit(socketPath: string, context: MasterCommandContext): Promise<boolean>;
  socketExists(socketPath: string): boolean;
  removeStaleSocket(socketPath: string): void;
}

/** The real {@link MasterControl}: OpenSSH processes and the file system. */
export const sshMasterControl: MasterControl = Object.freeze({
  resolveControlPath,
  check: checkMaster,
  start: startMaster,
  exit: exitMaster,
  socketExists: isSocket,
  removeStaleSocket,
});
