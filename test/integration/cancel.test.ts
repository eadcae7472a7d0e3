import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { eventually } from '../exec/testbed-helpers.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConnectionPool, killRemoteProcessGroup, type Lease } from '../../src/pool/index.js';
import { parseSshRemoteConfig, type SshRemoteConfig } from '../../src/schemas/index.js';
import { liveGroupMembers, waitGroupGone } from '../pool/proc-groups.js';
import { spawnLeased, type LeasedRun } from '../pool/pooled-run.js';
import { ALL_SHELLS, remoteFor, type TestbedUser } from '../testbed/index.js';

const tb = inject('testbed');

/** `ps` for the test user: lines whose command mentions `token`. The testbed's "remote" is this machine. */
function remoteProcesses(user: string, token: string): string[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-u', user, '-o', 'pid=,args='], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when the user has no process at all
  }
  return out.split('\n').filter((line) => line.includes(token));
}

/** Local processes (ssh clients) whose command line mentions `token`. */
function localProcesses(token: string): string[] {
  return fs.readdirSync('/proc').filter((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    try {
      return fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(token) && !fs.readFileSync(`/proc/${entry}/stat`, 'utf8').includes(') Z ');
    } catch {
      return false;
    }
  });
}

/**
 * A remote tree: the sshwrap script, an sh and its two sleeping children; `token` marks it in
 * `ps`. Resolves once all four run (so a trap is in place and the whole tree is there to kill).
 */
async function startTree(remote: SshRemoteConfig, lease: Lease | undefined, token: string, ignoreTerm = false): Promise<LeasedRun> {
  const script = `${ignoreTerm ? "trap '' TERM; " : ''}sleep 300 & sleep 300 & wait # ${token}`;
  const run = spawnLeased(remote, lease, 'sh', ['-c', script], { timeoutMs: 60_000 });
  const pid = await run.remotePid;
  if (pid !== null) await eventually(() => liveGroupMembers(pid).length >= 4);
  return run;
}

/**
 * The cancellation order spawnWithSsh should follow on abort: signal the remote group (through
 * the master when pooled), then stop the local ssh, then give the lease back.
 */
async function cancel(remote: SshRemoteConfig, run: LeasedRun, lease: Lease | undefined) {
  const pid = await run.remotePid;
  const result = pid === null ? null : await killRemoteProcessGroup(remote, pid, lease);
  run.child.kill('SIGTERM');
  const outcome = await run.done;
  lease?.release();
  return { pid, result, outcome };
}

describe.skipIf(!tb)('cancellation stops the remote process tree', () => {
  const info = tb!;
  let controlDir: string;
  let pool: ConnectionPool;
  const user = (shell: string): TestbedUser => info.users.find((u) => u.shell === shell)!;
  const remoteOf = (u: TestbedUser): SshRemoteConfig => parseSshRemoteConfig(remoteFor(info, u));
  const newToken = (): string => `swcancel${randomBytes(5).toString('hex')}`;

  beforeAll(() => {
    controlDir = fs.mkdtempSync('/tmp/swci-');
    pool = new ConnectionPool({ controlDir });
  });
  afterAll(async () => {
    await pool?.closeAll();
    if (controlDir) fs.rmSync(controlDir, { recursive: true, force: true });
  });

  it('killing only the local ssh leaves the remote command running (the problem)', async () => {
    const u = user('dash');
    const remote = remoteOf(u);
    const token = newToken();
    const run = await startTree(remote, undefined, token);
    const pid = await run.remotePid;
    expect(pid).toBeGreaterThan(1);
    run.child.kill('SIGKILL');
    await run.done;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(remoteProcesses(u.name, token).length).toBeGreaterThan(0);
    expect(liveGroupMembers(pid!).length).toBeGreaterThan(0);
    const cleanup = await killRemoteProcessGroup(remote, pid!);
    expect(cleanup.outcome).toBe('terminated');
    expect(await eventually(() => remoteProcesses(u.name, token).length === 0)).toBe(true);
  });

  describe.each(ALL_SHELLS)('login shell %s', (shell) => {
    it('abort through the pooled master leaves no remote process and no local ssh', async () => {
      const u = user(shell);
      const remote = remoteOf(u);
      const token = newToken();
      const lease = await pool.acquire(remote, true);
      const run = await startTree(remote, lease, token);
      await run.remotePid;
      expect(remoteProcesses(u.name, token).length).toBeGreaterThanOrEqual(1);
      const { pid, result, outcome } = await cancel(remote, run, lease);
      expect(result).toEqual({ outcome: 'terminated', viaMaster: true, stderr: '' });
      expect(outcome.timedOut).toBe(false);
      expect(await waitGroupGone(pid!)).toBe(true);
      expect(await eventually(() => remoteProcesses(u.name, token).length === 0)).toBe(true);
      expect(await eventually(() => localProcesses(token).length === 0)).toBe(true);
    });
  });

  it('without a pool the kill takes a fresh connection', async () => {
    const u = user('bash');
    const remote = remoteOf(u);
    const token = newToken();
    const run = await startTree(remote, undefined, token);
    const { pid, result } = await cancel(remote, run, undefined);
    expect(result).toMatchObject({ outcome: 'terminated', viaMaster: false });
    expect(await waitGroupGone(pid!)).toBe(true);
    expect(await eventually(() => remoteProcesses(u.name, token).length === 0)).toBe(true);
  });

  it('a tree that ignores SIGTERM gets SIGKILL after the grace period', async () => {
    const u = user('dash');
    const remote = remoteOf(u);
    const token = newToken();
    const lease = await pool.acquire(remote, true);
    const run = await startTree(remote, lease, token, true);
    const pid = await run.remotePid;
    const result = await killRemoteProcessGroup(remote, pid!, lease, 'TERM', { graceMs: 500 });
    expect(result.outcome).toBe('killed');
    run.child.kill('SIGTERM');
    await run.done;
    lease.release();
    expect(await eventually(() => remoteProcesses(u.name, token).length === 0)).toBe(true);
  });

  it('a process group that already exited is reported, not an error', async () => {
    const u = user('dash');
    const remote = remoteOf(u);
    const lease = await pool.acquire(remote, true);
    const run = spawnLeased(remote, lease, 'true', []);
    const pid = await run.remotePid;
    await run.done;
    expect((await killRemoteProcessGroup(remote, pid!, lease)).outcome).toBe('not-found');
    lease.release();
  });

  it('an abort while waiting for a lease rejects and spawns nothing', async () => {
    const remote = remoteOf(user('dash'));
    const settings = { maxConcurrentPerHost: 1 };
    const held = await pool.acquire(remote, settings);
    const controller = new AbortController();
    const waiting = pool.acquire(remote, settings, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user cancelled')), 50);
    await expect(waiting).rejects.toThrow('user cancelled');
    held.release();
  });
});
