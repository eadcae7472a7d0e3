import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { acquireForAgent, ConnectionPool, retryOnFreshMaster, withLeaseOptions } from '../../src/pool/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { FakeMasterControl } from './fake-master-control.js';

let controlDir: string;
beforeAll(() => {
  controlDir = fs.mkdtempSync('/tmp/swpa-');
});
afterAll(() => fs.rmSync(controlDir, { recursive: true, force: true }));

const store = createMemoryStoreAdapter([
  { id: 'gpu', host: 'gpu.example', username: 'dev' },
  { id: 'off', host: 'off.example', enabled: false },
]);

function setup() {
  const control = new FakeMasterControl();
  return { control, connectionPool: new ConnectionPool({ platform: 'linux', controlDir, masterControl: control }) };
}

describe('acquireForAgent', () => {
  it('leases for the agent\'s remote when multiplex is on', async () => {
    const { connectionPool, control } = setup();
    const lease = await acquireForAgent({ enabled: true, remoteId: 'gpu' }, store, true, { connectionPool });
    expect(lease?.managedSshOptions.ControlMaster).toBe('auto');
    expect(control.starts).toHaveLength(1);
    lease!.release();
  });

  it('is undefined when there is nothing to pool: multiplex off, SSH off, unknown or disabled remote', async () => {
    const { connectionPool, control } = setup();
    expect(await acquireForAgent({ enabled: true, remoteId: 'gpu' }, store, false, { connectionPool })).toBeUndefined();
    expect(await acquireForAgent({ enabled: false, remoteId: 'gpu' }, store, true, { connectionPool })).toBeUndefined();
    expect(await acquireForAgent(null, store, true, { connectionPool })).toBeUndefined();
    expect(await acquireForAgent({ enabled: true, remoteId: 'nope' }, store, true, { connectionPool })).toBeUndefined();
    expect(await acquireForAgent({ enabled: true, remoteId: 'off' }, store, true, { connectionPool })).toBeUndefined();
    expect(control.starts).toEqual([]);
  });

  it('rejects a bad multiplex value even when SSH is off', async () => {
    await expect(acquireForAgent(null, store, { persistSeconds: -1 })).rejects.toBeInstanceOf(SshWrapError);
  });
});

describe('retryOnFreshMaster', () => {
  it('retries only a 255 before the remote side started, on a master that is really dead', async () => {
    const { connectionPool, control } = setup();
    const lease = (await acquireForAgent({ enabled: true, remoteId: 'gpu' }, store, true, { connectionPool }))!;
    expect(await retryOnFreshMaster(lease, { exitCode: 255 })).toBe(false); // master alive: a real ssh failure
    control.dead.add(lease.controlPath!);
    expect(await retryOnFreshMaster(lease, { exitCode: 255, remotePid: 42 })).toBe(false); // it ran remotely
    expect(await retryOnFreshMaster(lease, { exitCode: 1 })).toBe(false);
    expect(await retryOnFreshMaster(lease, { exitCode: 255, aborted: true })).toBe(false);
    expect(await retryOnFreshMaster(lease, { exitCode: 255 })).toBe(true);
    lease.release();
  });

  it('never retries an unpooled lease', async () => {
    const lease = await new ConnectionPool({ platform: 'win32', controlDir, masterControl: new FakeMasterControl() }).acquire(
      { id: 'x', name: '', host: 'h', port: 22, useSshConfig: false, enabled: true },
      true,
    );
    expect(await retryOnFreshMaster(lease, { exitCode: 255 })).toBe(false);
    lease.release();
  });
});

describe('withLeaseOptions', () => {
  it('adds the lease options under the caller\'s own', async () => {
    const { connectionPool } = setup();
    const lease = (await acquireForAgent({ enabled: true, remoteId: 'gpu' }, store, true, { connectionPool }))!;
    const merged = withLeaseOptions({ timeoutMs: 5, managedSshOptions: { ControlPersist: '5', StrictHostKeyChecking: 'yes' } }, lease);
    expect(merged).toEqual({
      timeoutMs: 5,
      managedSshOptions: { ControlMaster: 'auto', ControlPath: lease.managedSshOptions.ControlPath, ControlPersist: '5', StrictHostKeyChecking: 'yes' },
    });
    // Without a lease the options stay as they are, except that multiplex is settled.
    const untouched: { timeoutMs: number; managedSshOptions?: Record<string, string>; multiplex?: boolean } = { timeoutMs: 1, multiplex: true };
    expect(withLeaseOptions(untouched, undefined)).toEqual({ timeoutMs: 1, multiplex: undefined });
    lease.release();
  });
});
