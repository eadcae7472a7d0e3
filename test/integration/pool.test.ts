import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { eventually } from '../exec/testbed-helpers.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checkMaster, closeAll, ConnectionPool, defaultConnectionPool, retryOnFreshMaster, type Lease, type MultiplexOption } from '../../src/pool/index.js';
import { parseSshRemoteConfig, type SshRemoteConfig } from '../../src/schemas/index.js';
import { runWithSsh } from '../../src/exec/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { testConnection } from '../../src/test-connection/index.js';
import { wrapSpawnWithSsh } from '../../src/exec/index.js';
import { runLeased, spawnLeased } from '../pool/pooled-run.js';
import { remoteFor, startTestbed, type Testbed } from '../testbed/index.js';

// A private sshd with OpenSSH's defaults (MaxStartups 10:30:100, MaxSessions 10) that these tests
// may restart, and whose log counts only our connections. Whether to run at all is the shared
// test bed's decision (global-setup.ts): under CI=true a missing test bed fails the run instead.
const tb = inject('testbed');

/** Processes whose command line mentions `needle` (ssh masters retitle themselves "ssh: <ControlPath> [mux]"). */
function processesMentioning(needle: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const state = fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if (cmdline.includes(needle) && state !== 'Z') found.push(`${entry} ${cmdline}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** Stops the master on `socket` the way an outsider would (no pool bookkeeping). */
async function exitMasterAt(socket: string): Promise<void> {
  const status = await checkMaster(socket);
  if (status.pid) process.kill(status.pid, 'SIGTERM');
  await eventually(() => !fs.existsSync(socket), 10_000);
}

describe.skipIf(!tb)('connection pool against a real sshd with default limits', () => {
  let bed: Testbed;
  let remote: SshRemoteConfig;
  let controlDir: string;
  let pool: ConnectionPool;

  const accepted = (): number => (fs.readFileSync(bed.sshdLog, 'utf8').match(/Accepted publickey/g) ?? []).length;
  const established = (): number =>
    execFileSync('ss', ['-Htn', 'state', 'established', `( dport = :${bed.port} )`], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.trim() !== '').length;

  async function run(multiplex: MultiplexOption = true, command = 'echo', args = ['pooled'], target = remote): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const lease = await pool.acquire(target, multiplex);
    try {
      return await runLeased(target, lease, command, args);
    } finally {
      lease.release();
    }
  }

  beforeAll(async () => {
    bed = await startTestbed({ users: 'current' });
    remote = parseSshRemoteConfig(remoteFor(bed, bed.users[0]!));
    controlDir = fs.mkdtempSync('/tmp/swpi-');
    pool = new ConnectionPool({ controlDir });
  });

  afterAll(async () => {
    await pool?.closeAll();
    await bed?.stop();
    if (controlDir) fs.rmSync(controlDir, { recursive: true, force: true });
  });

  it('pooled runs reuse one master: one sshd connection for ten runs', async () => {
    const before = accepted();
    for (let i = 0; i < 10; i++) {
      const result = await run();
      expect(result).toMatchObject({ code: 0, stdout: 'pooled\n', stderr: '' });
    }
    expect(accepted() - before).toBe(1);
    expect(established()).toBe(1);
  });

  it('a lease from pool.acquire (raw wrap), runWithSsh and testConnection with multiplex go through the same master', async () => {
    const store = createMemoryStoreAdapter([remote]);
    const agentSsh = { enabled: true, remoteId: remote.id };
    await run(); // the master is up
    const before = accepted();
    const lease = await pool.acquire(remote, true);
    try {
      const wrapped = await wrapSpawnWithSsh({ command: 'echo', args: ['wrapped'], cwd: '~' }, agentSsh, store, { managedSshOptions: lease.managedSshOptions });
      expect(wrapped.args.some((arg) => arg.startsWith('ControlPath='))).toBe(true);
      expect(execFileSync(wrapped.command, wrapped.args, { cwd: wrapped.cwd, encoding: 'utf8', input: '' })).toBe('wrapped\n');
    } finally {
      lease.release();
    }
    const ran = await runWithSsh({ command: 'echo', args: ['ran'], cwd: '~' }, agentSsh, store, { multiplex: true, connectionPool: pool });
    expect(ran).toMatchObject({ exitCode: 0, stdout: 'ran\n' });
    expect(await testConnection(remote, 'sh', { multiplex: true, connectionPool: pool })).toMatchObject({ success: true });
    expect(accepted() - before).toBe(0);
  });

  it('timeoutMs also bounds the wait for a pooled slot', async () => {
    const multiplex = { maxConcurrentPerHost: 1 };
    const held = await pool.acquire(remote, multiplex);
    try {
      const started = Date.now();
      const result = await runWithSsh({ command: 'echo', args: ['never'], cwd: '~' }, { enabled: true, remoteId: remote.id }, createMemoryStoreAdapter([remote]), {
        multiplex,
        connectionPool: pool,
        timeoutMs: 500,
      });
      expect(result).toMatchObject({ timedOut: true, errorKind: 'timeout', remoteStarted: false, exitCode: null });
      // The slot is held until after this run, so without the bound it would wait forever.
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      held.release();
    }
  });

  it('a master killed mid-way (SIGKILL, SIGTERM) or dropped by an sshd restart: the next run still succeeds, first time', async () => {
    const lease = await pool.acquire(remote, true);
    const socket = lease.controlPath!;
    lease.release();
    for (const kill of ['SIGKILL', 'SIGTERM', 'restart'] as const) {
      const before = await checkMaster(socket);
      expect(before.running).toBe(true);
      if (kill === 'restart') await bed.restart();
      else process.kill(before.pid!, kill);
      await eventually(() => !fs.readdirSync('/proc').includes(String(before.pid)), 10_000);
      const result = await run();
      expect(result, `after ${kill}`).toMatchObject({ code: 0, stdout: 'pooled\n' });
      const after = await checkMaster(socket);
      expect(after.running).toBe(true);
      expect(after.pid).not.toBe(before.pid);
    }
  });

  it('runs in flight when the master dies fail with 255; masterFailed() says retry, and the retry succeeds', async () => {
    const leases: Lease[] = await Promise.all([1, 2, 3].map(() => pool.acquire(remote, true)));
    const runs = leases.map((lease) => spawnLeased(remote, lease, 'sleep', ['5']));
    await Promise.all(runs.map((r) => r.remotePid));
    const master = await checkMaster(leases[0]!.controlPath!);
    process.kill(master.pid!, 'SIGKILL');
    const outcomes = await Promise.all(runs.map((r) => r.done));
    expect(outcomes.map((o) => o.code)).toEqual([255, 255, 255]);
    // Only a run whose remote command never started may be retried; these did start. Here we
    // only check the pool's verdict and that a fresh lease works.
    expect(await leases[0]!.masterFailed()).toBe(true);
    for (const lease of leases) lease.release();
    expect(await run()).toMatchObject({ code: 0, stdout: 'pooled\n' });
  });

  it('a broken socket (accepts, then hangs up): ssh falls back to a direct connection; masterFailed() clears it for a fresh master', async () => {
    // Measured on OpenSSH 9.2: every mux failure before the session opens (refused, no hello,
    // failed alive check, refused session) makes ssh connect directly instead, so the run still
    // succeeds. Only a master dying after the session opened (a narrow race) yields a 255 before
    // the remote pid: the case retryOnFreshMaster covers.
    await pool.closeAll();
    const lease = await pool.acquire(remote, true);
    const socket = lease.controlPath!;
    await exitMasterAt(socket);
    const impostor = net.createServer((connection) => connection.destroy());
    await new Promise<void>((resolve) => impostor.listen(socket, resolve));
    try {
      const before = accepted();
      const run = spawnLeased(remote, lease, 'echo', ['fallback']);
      expect(await run.done).toMatchObject({ code: 0, stdout: 'fallback\n' });
      expect(accepted() - before).toBe(1); // a direct connection
      // Close it first: libuv unlinks the path on close, which would orphan a new master's socket.
      await new Promise<void>((resolve) => impostor.close(() => resolve()));
      expect(await retryOnFreshMaster(lease, { exitCode: 255 })).toBe(true); // as a caller would after a 255
      lease.release();
      const next = await pool.acquire(remote, true);
      expect(await runLeased(remote, next, 'echo', ['master'])).toMatchObject({ code: 0, stdout: 'master\n' });
      next.release();
      expect((await checkMaster(socket)).running).toBe(true);
    } finally {
      if (impostor.listening) impostor.close();
    }
  });

  it('64 concurrent runs to one host with sshd defaults: 64/64 succeed over one connection', async () => {
    await pool.closeAll();
    const before = accepted();
    const results = await Promise.all(Array.from({ length: 64 }, (_, i) => run(true, 'echo', [`n${i}`])));
    expect(results.filter((r) => r.code === 0)).toHaveLength(64);
    expect(results.map((r) => r.stdout).sort()).toEqual(Array.from({ length: 64 }, (_, i) => `n${i}\n`).sort());
    expect(accepted() - before).toBe(1);
  });

  it('sessions above MaxSessions open another master instead of failing', async () => {
    await pool.closeAll();
    const before = accepted();
    const settings = { maxConcurrentPerHost: 24 };
    const results = await Promise.all(Array.from({ length: 24 }, () => run(settings, 'sleep', ['1'])));
    expect(results.filter((r) => r.code === 0)).toHaveLength(24);
    expect(accepted() - before).toBe(3); // ceil(24 / 10)
  });

  it('without the per-master cap, sshd refuses sessions above MaxSessions and ssh falls back to direct connections', async () => {
    // Measured on OpenSSH 9.2: "mux_client_request_session: session request failed: Session open
    // refused by peer", then ssh silently connects directly (a full handshake each, counted by
    // MaxStartups). The cap keeps every session on a master instead.
    await pool.closeAll();
    const before = accepted();
    const settings = { maxConcurrentPerHost: 14, maxSessionsPerMaster: 14 };
    const results = await Promise.all(Array.from({ length: 14 }, () => run(settings, 'sleep', ['1'])));
    expect(results.filter((r) => r.code === 0)).toHaveLength(14);
    expect(accepted() - before).toBeGreaterThan(1);
  });

  it('remotes differing only in options get separate masters', async () => {
    const other = parseSshRemoteConfig(remoteFor(bed, bed.users[0]!, { customOptions: { ServerAliveInterval: '20' } }));
    const a = await pool.acquire(remote, true);
    const b = await pool.acquire(other, true);
    expect(a.controlPath).not.toBe(b.controlPath);
    expect((await runLeased(other, b, 'echo', ['other'])).stdout).toBe('other\n');
    a.release();
    b.release();
  });

  it('closeAll leaves no socket and no ssh process', async () => {
    const settings = { maxSessionsPerMaster: 2, maxConcurrentPerHost: 6 };
    const other = parseSshRemoteConfig(remoteFor(bed, bed.users[0]!, { customOptions: { ServerAliveInterval: '21' } }));
    const results = await Promise.all([...Array.from({ length: 6 }, () => run(settings, 'sleep', ['0.3'])), run(true, 'true', [], other)]);
    expect(results.every((r) => r.code === 0)).toBe(true);
    expect(fs.readdirSync(controlDir).length).toBeGreaterThanOrEqual(3);
    expect(processesMentioning(controlDir).length).toBeGreaterThanOrEqual(3);
    await pool.closeAll();
    expect(fs.readdirSync(controlDir)).toEqual([]);
    expect(await eventually(() => processesMentioning(controlDir).length === 0, 10_000)).toBe(true);
    expect(established()).toBe(0);
  });

  it('the default pool and closeAll() clean up after themselves', async () => {
    const lease = await defaultConnectionPool.acquire(remote, true);
    try {
      expect((await runLeased(remote, lease, 'echo', ['default'])).stdout).toBe('default\n');
    } finally {
      lease.release();
    }
    expect(fs.existsSync(lease.controlPath!)).toBe(true);
    await closeAll();
    expect(fs.existsSync(lease.controlPath!)).toBe(false);
    expect(await eventually(() => processesMentioning(lease.controlPath!).length === 0, 10_000)).toBe(true);
  });
});
