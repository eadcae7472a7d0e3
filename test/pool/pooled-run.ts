import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import type { Lease } from '../../src/pool/index.js';
import { parseSshSpawnWrapConfig, type SshRemoteConfig } from '../../src/schemas/index.js';
import { wrapForRemote, type RemoteWrapOptions } from '../../src/wrap/index.js';

/**
 * Test/bench stand-in for src/exec until it is wired to the pool: wrap with the lease's
 * managedSshOptions and a status marker, spawn ssh, read the remote pid from the marker.
 */
export interface LeasedRun {
  child: ChildProcess;
  /** Resolves with the remote script's pid (its process group) once reported; `null` if ssh ended first. */
  remotePid: Promise<number | null>;
  /** Resolves when the process has exited and its output is read. */
  done: Promise<RunOutcome>;
}

export interface RunOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** stderr with the marker lines removed. */
  stderr: string;
  timedOut: boolean;
}

export function spawnLeased(
  remote: SshRemoteConfig,
  lease: Lease | undefined,
  command: string,
  args: string[],
  options: { keepStdin?: boolean; timeoutMs?: number; captureStdout?: boolean; wrap?: Partial<RemoteWrapOptions> } = {},
): LeasedRun {
  const token = `swp${randomBytes(6).toString('hex')}`;
  const wrapped = wrapForRemote(parseSshSpawnWrapConfig({ command, args, cwd: '~' }), remote, undefined, {
    sshPath: 'ssh',
    localCwd: homedir(),
    ...options.wrap,
    keepStdin: options.keepStdin ?? false,
    statusMarker: token,
    ...(lease ? { managedSshOptions: lease.managedSshOptions } : {}),
  });
  const child = spawn(wrapped.command, wrapped.args, { cwd: wrapped.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  if (!options.keepStdin) child.stdin!.end(wrapped.stdin ?? '');
  let stdout = '';
  let stderr = '';
  let resolvePid: (pid: number | null) => void = () => {};
  const remotePid = new Promise<number | null>((resolve) => (resolvePid = resolve));
  const pidPattern = new RegExp(`${token}:pid:(\\d+)`);
  if (options.captureStdout !== false) child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  else child.stdout!.resume();
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    const match = pidPattern.exec(stderr);
    if (match) resolvePid(Number(match[1]));
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 30_000);
  const done = new Promise<RunOutcome>((resolve) => {
    child.once('error', () => {});
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolvePid(null);
      const clean = stderr.replace(new RegExp(`\\n${token}:[^\\n]*\\n`, 'g'), '');
      resolve({ code, signal, stdout, stderr: clean, timedOut });
    });
  });
  return { child, remotePid, done };
}

/** spawnLeased and wait for the end. */
export function runLeased(remote: SshRemoteConfig, lease: Lease | undefined, command: string, args: string[] = [], timeoutMs = 30_000): Promise<RunOutcome> {
  return spawnLeased(remote, lease, command, args, { timeoutMs }).done;
}
