import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { forwardPort, forwardSocketToRemote, SshForwardError } from '../../src/forward/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { fakeExecutor } from '../exec/fake-executor.js';

const remote = { id: 'gpu', host: 'gpu.example.com', username: 'dev' };
const store = createMemoryStoreAdapter([remote]);

async function refused(promise: Promise<unknown>): Promise<SshWrapError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SshWrapError);
  return error as SshWrapError;
}

describe('forwardPort / forwardSocketToRemote: refusals before anything is spawned', () => {
  it('bad options and unknown remotes are SshWrapErrors; no process is started', async () => {
    const executor = fakeExecutor(() => undefined);
    expect(await refused(forwardPort('gpu', store, { remotePort: 0, executor }))).toMatchObject({ code: 'INVALID_CONFIG' });
    expect(await refused(forwardPort('gpu', store, { remotePort: 70_000, executor }))).toMatchObject({ code: 'INVALID_CONFIG' });
    expect(await refused(forwardPort('gpu', store, { remotePort: 80, remoteHost: '-oProxyCommand=x', executor }))).toMatchObject({ code: 'INVALID_CONFIG' });
    expect(await refused(forwardPort('gpu', store, { remotePort: 80, localPort: 1.5, executor }))).toMatchObject({ code: 'INVALID_CONFIG' });
    expect(await refused(forwardPort('gpu', store, { remotePort: 80, bindAddress: '0.0.0.0', executor } as never))).toMatchObject({ code: 'INVALID_CONFIG' });
    expect(await refused(forwardPort({ ...remote, remotePlatform: 'windows' }, store, { remotePort: 80, executor }))).toMatchObject({ field: 'remotePlatform' });
    expect(await refused(forwardPort('nope', store, { remotePort: 80, executor }))).toMatchObject({ code: 'REMOTE_NOT_FOUND' });
    expect(await refused(forwardSocketToRemote('gpu', store, { localSocketPath: 'relative.sock', executor }))).toMatchObject({ code: 'INVALID_CONFIG' });
    expect(await refused(forwardSocketToRemote('gpu', store, { localSocketPath: '/tmp/a:b.sock', executor }))).toMatchObject({ code: 'INVALID_CONFIG' });
    expect(await refused(forwardSocketToRemote('gpu', store, { localSocketPath: os.tmpdir(), executor }))).toMatchObject({ code: 'INVALID_CONFIG', field: 'localSocketPath' });
    expect(executor.children).toHaveLength(0);
  });

  it('an ssh that exits before the forward is ready: SshForwardError with the classified kind', async () => {
    const executor = fakeExecutor((child) => {
      child.stderr.end('Error: remote port forwarding failed for listen port 5173\r\n');
      child.exit(255);
    });
    const error = await forwardPort(remote, store, { remotePort: 80, executor, probe: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SshForwardError);
    expect(error).toMatchObject({ errorKind: 'forwarding-refused', stderr: expect.stringContaining('remote port forwarding failed') });
  });

  it('an ssh that cannot be started (ENOENT, E2BIG): spawn-failed', async () => {
    for (const fail of ['async', 'sync'] as const) {
      const error = await forwardPort(remote, store, { remotePort: 80, executor: fakeExecutor(() => undefined, fail), probe: false }).catch((e: unknown) => e);
      expect(error, fail).toMatchObject({ errorKind: 'spawn-failed', message: expect.stringMatching(/ENOENT|E2BIG/) });
    }
  });

  it('a listening unix socket passes the local check (the remote directory is then asked for)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swfo-'));
    const server = net.createServer().listen(path.join(dir, 's'));
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const executor = fakeExecutor((child) => {
        child.stderr.end('ssh: connect to host gpu.example.com port 22: Connection refused\r\n');
        child.exit(255);
      });
      const error = await forwardSocketToRemote(remote, store, { localSocketPath: path.join(dir, 's'), executor }).catch((e: unknown) => e);
      expect(error).toMatchObject({ errorKind: 'connection-refused' });
      expect(executor.children).toHaveLength(1);
      expect(executor.children[0]!.args.join(' ')).toContain('mktemp -d');
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
