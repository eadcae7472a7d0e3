import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionPool } from '../../src/pool/connection-pool.js';
import { parseSshRemoteConfig, type SshRemoteConfig } from '../../src/schemas/index.js';
import { wrapForRemote } from '../../src/wrap/index.js';
import { parseSshSpawnWrapConfig } from '../../src/schemas/index.js';
import { FakeMasterControl } from './fake-master-control.js';

let controlDir: string;
beforeAll(() => {
  controlDir = fs.mkdtempSync('/tmp/swpu-');
});
afterAll(() => fs.rmSync(controlDir, { recursive: true, force: true }));

const remote = (extra: Record<string, unknown> = {}): SshRemoteConfig =>
  parseSshRemoteConfig({ id: 'gpu', host: 'gpu.example', username: 'dev', privateKeyPath: '/k', ...extra });

function pool(platform: NodeJS.Platform = 'linux') {
  const control = new FakeMasterControl();
  return { control, pool: new ConnectionPool({ platform, controlDir, masterControl: control }) };
}

describe('ConnectionPool', () => {
  it('hands out an unlimited no-op lease when multiplex is off', async () => {
    const { pool: p, control } = pool();
    const leases = await Promise.all(Array.from({ length: 50 }, () => p.acquire(remote(), false)));
    expect(leases.every((lease) => Object.keys(lease.managedSshOptions).length === 0 && lease.controlPath === undefined)).toBe(true);
    expect(control.starts).toEqual([]);
    expect(await leases[0]!.masterFailed()).toBe(false);
  });

  it('pools with ControlMaster=auto, a private ControlPath with %C, and ControlPersist', async () => {
    const { pool: p } = pool();
    const lease = await p.acquire(remote(), { persistSeconds: 90 });
    expect(lease.managedSshOptions).toEqual({
      ControlMaster: 'auto',
      ControlPath: expect.stringMatching(new RegExp(`^${controlDir}/%C-[0-9a-f]{12}-0$`)),
      ControlPersist: '90',
    });
    expect(lease.controlPath).toBe(lease.managedSshOptions.ControlPath!.replace('%C', 'c'.repeat(40)));
    lease.release();
    lease.release(); // idempotent
  });

  it('the managed options reach ssh between the defaults and customOptions', async () => {
    const { pool: p } = pool();
    const lease = await p.acquire(remote({ customOptions: { ConnectTimeout: '3' } }), true);
    const wrapped = wrapForRemote(parseSshSpawnWrapConfig({ command: 'true', args: [], cwd: '/' }), remote({ customOptions: { ConnectTimeout: '3' } }), undefined, {
      sshPath: 'ssh',
      localCwd: '/',
      managedSshOptions: lease.managedSshOptions,
    });
    const options = wrapped.args.flatMap((arg, i, all) => (all[i - 1] === '-o' ? [arg] : []));
    expect(options).toContain(`ControlPath=${lease.managedSshOptions.ControlPath}`);
    expect(options).toContain('ControlMaster=auto');
    expect(options.indexOf('ConnectTimeout=3')).toBeGreaterThanOrEqual(0);
    lease.release();
  });

  it('starts ONE master for a burst on a cold remote; the rest wait for it', async () => {
    const { pool: p, control } = pool();
    const leases = await Promise.all(Array.from({ length: 8 }, () => p.acquire(remote(), true)));
    expect(control.starts).toHaveLength(1);
    expect(control.resolves).toBe(1);
    expect(new Set(leases.map((lease) => lease.controlPath)).size).toBe(1);
    for (const lease of leases) lease.release();
    const again = await p.acquire(remote(), true);
    expect(control.starts).toHaveLength(1); // warm: no new start, no ssh spawned
    again.release();
  });

  it('bounds concurrent leases per host and queues the rest FIFO', async () => {
    const { pool: p } = pool();
    const settings = { maxConcurrentPerHost: 3 };
    const held = await Promise.all([1, 2, 3].map(() => p.acquire(remote(), settings)));
    let fourth = false;
    const waiting = p.acquire(remote({ username: 'other' }), settings).then((lease) => {
      fourth = true;
      return lease;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fourth).toBe(false); // same host:port, different user: same limit
    held[0]!.release();
    (await waiting).release();
    expect(fourth).toBe(true);
    for (const lease of held.slice(1)) lease.release();
  });

  it('opens another master slot above maxSessionsPerMaster', async () => {
    const { pool: p, control } = pool();
    const settings = { maxSessionsPerMaster: 2, maxConcurrentPerHost: 5 };
    const leases = await Promise.all(Array.from({ length: 5 }, () => p.acquire(remote(), settings)));
    const bySlot = new Map<string, number>();
    for (const lease of leases) bySlot.set(lease.controlPath!, (bySlot.get(lease.controlPath!) ?? 0) + 1);
    expect([...bySlot.values()].sort()).toEqual([1, 2, 2]);
    expect(control.starts).toHaveLength(3);
    for (const lease of leases) lease.release();
  });

  it('gives different remotes different masters', async () => {
    const { pool: p, control } = pool();
    const a = await p.acquire(remote(), true);
    const b = await p.acquire(remote({ privateKeyPath: '/other-key' }), true);
    expect(a.controlPath).not.toBe(b.controlPath);
    expect(control.starts).toHaveLength(2);
    a.release();
    b.release();
  });

  it('restarts a master whose socket vanished (ControlPersist expired)', async () => {
    const { pool: p, control } = pool();
    const first = await p.acquire(remote(), true);
    first.release();
    control.sockets.delete(first.controlPath!);
    const second = await p.acquire(remote(), true);
    expect(control.starts).toHaveLength(2);
    second.release();
  });

  it('masterFailed: true only when the master is really dead, then the next lease replaces it', async () => {
    const { pool: p, control } = pool();
    const lease = await p.acquire(remote(), true);
    expect(await lease.masterFailed()).toBe(false);
    control.dead.add(lease.controlPath!);
    expect(await lease.masterFailed()).toBe(true);
    expect(control.sockets.has(lease.controlPath!)).toBe(false);
    lease.release();
    const retry = await p.acquire(remote(), true);
    expect(control.starts).toHaveLength(2);
    retry.release();
  });

  it('adopts a live master on the socket instead of starting another', async () => {
    const { pool: p, control } = pool();
    const probe = await p.acquire(remote(), true);
    probe.release();
    const { pool: second } = { pool: new ConnectionPool({ platform: 'linux', controlDir, masterControl: control }) };
    const lease = await second.acquire(remote(), true);
    expect(control.starts).toHaveLength(1);
    lease.release();
  });

  it('still leases (ssh then reports the real error) when a master cannot start', async () => {
    const { pool: p, control } = pool();
    control.nextStart = 'failed';
    const leases = await Promise.all([1, 2, 3].map(() => p.acquire(remote(), true)));
    expect(control.starts).toHaveLength(1);
    expect(leases.every((lease) => lease.managedSshOptions.ControlMaster === 'auto')).toBe(true);
    for (const lease of leases) lease.release();
  });

  it('an abort while waiting rejects and holds nothing', async () => {
    const { pool: p } = pool();
    const settings = { maxConcurrentPerHost: 1 };
    const held = await p.acquire(remote(), settings);
    const controller = new AbortController();
    const waiting = p.acquire(remote(), settings, { signal: controller.signal });
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    held.release();
    const next = await p.acquire(remote(), settings);
    next.release();
  });

  it('an abort while the master starts rejects that caller only', async () => {
    const { pool: p, control } = pool();
    control.startDelayMs = 100;
    const controller = new AbortController();
    const aborted = p.acquire(remote(), true, { signal: controller.signal });
    const patient = p.acquire(remote(), true);
    setTimeout(() => controller.abort(new Error('bye')), 10);
    await expect(aborted).rejects.toThrow('bye');
    const lease = await patient;
    expect(lease.controlPath).toBeDefined();
    lease.release();
  });

  it('leaves multiplexing to the remote when its customOptions set Control*', async () => {
    const { pool: p, control } = pool();
    const lease = await p.acquire(remote({ customOptions: { controlpath: '/x/%C' } }), true);
    expect(lease.managedSshOptions).toEqual({});
    expect(control.starts).toEqual([]);
    lease.release();
  });

  it('recreates a control directory removed since (tmp cleaners) before starting a master', async () => {
    const dir = fs.mkdtempSync('/tmp/swpr-');
    const control = new FakeMasterControl();
    const p = new ConnectionPool({ platform: 'linux', controlDir: dir, masterControl: control });
    (await p.acquire(remote(), true)).release();
    fs.rmSync(dir, { recursive: true });
    control.sockets.clear();
    const lease = await p.acquire(remote(), true);
    expect(lease.controlPath).toBeDefined();
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    lease.release();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('closeAll exits every master it used and forgets them', async () => {
    const { pool: p, control } = pool();
    const a = await p.acquire(remote(), true);
    const b = await p.acquire(remote({ port: 2222 }), true);
    a.release();
    b.release();
    await p.closeAll();
    expect(control.exits.sort()).toEqual([a.controlPath, b.controlPath].sort());
    expect(control.sockets.size).toBe(0);
    const again = await p.acquire(remote(), true);
    expect(control.starts).toHaveLength(3);
    again.release();
  });
});

describe('ConnectionPool on Windows', () => {
  it('silently turns pooling off: empty options, no master, the host limit still applies', async () => {
    const { pool: p, control } = pool('win32');
    expect(p.multiplexingAvailable).toBe(false);
    const settings = { maxConcurrentPerHost: 2 };
    const a = await p.acquire(remote(), settings);
    const b = await p.acquire(remote(), settings);
    expect(a.managedSshOptions).toEqual({});
    expect(a.controlPath).toBeUndefined();
    expect(await a.masterFailed()).toBe(false);
    let third = false;
    const waiting = p.acquire(remote(), settings).then((lease) => ((third = true), lease));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(third).toBe(false);
    a.release();
    (await waiting).release();
    b.release();
    expect(control.starts).toEqual([]);
    expect(control.resolves).toBe(0);
  });

  it('is on for the real platform here (Linux/macOS) with a usable directory', () => {
    expect(new ConnectionPool({ platform: 'linux', controlDir: path.join(os.tmpdir(), 'has space') }).multiplexingAvailable).toBe(false);
    expect(new ConnectionPool({ platform: 'darwin', controlDir }).multiplexingAvailable).toBe(true);
  });
});
