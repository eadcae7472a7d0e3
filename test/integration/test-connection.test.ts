import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { nodeExecutor, runWithSsh, type SpawnExecutor } from '../../src/exec/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { SshRemoteManager, testConnection } from '../../src/test-connection/index.js';
import { ALL_SHELLS, remoteFor } from '../testbed/index.js';
import { userFor } from '../exec/testbed-helpers.js';

const tb = inject('testbed');
const execFileAsync = promisify(execFile);

function listen(onConnection: (socket: net.Socket) => void): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer(onConnection);
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve(server));
  });
}

function portOf(server: net.Server): number {
  return (server.address() as net.AddressInfo).port;
}

describe.skipIf(!tb)('testConnection against the real sshd', () => {
  const info = tb!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sshwrap-tc-'));
  const sockets: net.Socket[] = [];
  const servers: net.Server[] = [];
  /** A loopback listener whose connections are all destroyed in afterAll. */
  async function listener(onConnection: (socket: net.Socket) => void): Promise<net.Server> {
    const server = await listen((socket) => {
      sockets.push(socket);
      onConnection(socket);
    });
    servers.push(server);
    return server;
  }
  let wrongKey = '';

  beforeAll(async () => {
    wrongKey = path.join(dir, 'not_authorized_ed25519');
    await execFileAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'sshwrap-wrong', '-f', wrongKey], { timeout: 15_000 });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    const closed = Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2_000))]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe.concurrent.each(ALL_SHELLS)('%s login shell', (shell) => {
    it('reports hostname, username, platform and the agent in one round trip', async () => {
      const user = userFor(info, shell);
      const result = await testConnection(remoteFor(info, user), 'sh');
      expect(result).toMatchObject({
        success: true,
        details: { hostname: os.hostname(), username: user.name, platform: os.type(), arch: os.machine(), agentAvailable: true },
      });
      expect(result.details?.agentPath).toMatch(/^\/.*\/sh$/);
      expect(result.errorKind).toBeUndefined();
    });
  });

  const bash = () => userFor(info, 'bash');

  it('a missing agent: success, agentAvailable false, errorKind agent-not-found', async () => {
    const result = await testConnection(remoteFor(info, bash()), 'sshwrap-no-such-agent');
    expect(result).toMatchObject({ success: true, details: { agentAvailable: false }, errorKind: 'agent-not-found' });
  });

  it('SshRemoteManager tests a stored remote by id', async () => {
    const remote = remoteFor(info, bash());
    const manager = new SshRemoteManager(createMemoryStoreAdapter([remote]));
    expect(await manager.testConnection(remote.id)).toMatchObject({ success: true, details: { username: bash().name } });
  });

  describe('each failure kind from a real condition', () => {
    it('connection-refused: a port that was bound and closed', async () => {
      const server = await listen(() => {});
      const port = portOf(server);
      await new Promise((resolve) => server.close(resolve));
      const result = await testConnection(remoteFor(info, bash(), { port }));
      expect(result).toMatchObject({ success: false, errorKind: 'connection-refused' });
      expect(result.error).toContain('Connection refused');
    });

    it('auth-failed: a fresh key that is not in authorized_keys', async () => {
      const result = await testConnection(remoteFor(info, bash(), { privateKeyPath: wrongKey }));
      expect(result).toMatchObject({ success: false, errorKind: 'auth-failed' });
      expect(result.error).toContain('Permission denied (publickey)');
      expect(result.hint).toMatch(/authorized_keys/);
    });

    it('host-key-changed: known_hosts holds another key for [127.0.0.1]:port', async () => {
      const knownHosts = path.join(dir, 'known_hosts_changed');
      const otherKey = fs.readFileSync(`${wrongKey}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
      fs.writeFileSync(knownHosts, `[127.0.0.1]:${info.port} ${otherKey}\n`);
      const result = await testConnection(remoteFor(info, bash(), { customOptions: { UserKnownHostsFile: knownHosts } }));
      expect(result).toMatchObject({ success: false, errorKind: 'host-key-changed' });
      expect(result.error).toMatch(/Host key for \[127\.0\.0\.1\]:\d+ has changed/);
    });

    // In a network namespace of its own (no interfaces but a down loopback), so the resolver's
    // query never leaves this machine. unshare --net needs root, which the all-shells test bed
    // (and so this suite) requires anyway.
    it('dns: an unresolvable name', async () => {
      const isolated: SpawnExecutor = { spawn: (command, args, options) => nodeExecutor.spawn('unshare', ['--net', '--', command, ...args], options) };
      const result = await testConnection(remoteFor(info, bash(), { host: 'nonexistent.invalid' }), undefined, { executor: isolated });
      expect(result).toMatchObject({ success: false, errorKind: 'dns' });
    });

    it('timeout: a listener that accepts TCP and never answers (ConnectTimeout=2)', async () => {
      const server = await listener(() => {});
      const started = Date.now();
      const result = await testConnection(remoteFor(info, bash(), { port: portOf(server), customOptions: { ConnectTimeout: '2' } }));
      expect(result).toMatchObject({ success: false, errorKind: 'timeout' });
      expect(result.error).toContain('banner exchange');
      expect(Date.now() - started).toBeLessThan(2_000 + 10_000);
    });

    it('timeout: testConnection own limit when ConnectTimeout is long', async () => {
      const server = await listener(() => {});
      const started = Date.now();
      const result = await testConnection(remoteFor(info, bash(), { port: portOf(server), customOptions: { ConnectTimeout: '60' } }), undefined, { timeoutMs: 1_000 });
      expect(result).toMatchObject({ success: false, errorKind: 'timeout' });
      // Far below ConnectTimeout (60 s): testConnection's own timeoutMs ended it.
      expect(Date.now() - started).toBeLessThan(20_000);
    });

    it('connection-closed: a listener that closes right after accepting', async () => {
      const server = await listener((socket) => socket.end());
      const result = await testConnection(remoteFor(info, bash(), { port: portOf(server) }));
      expect(result).toMatchObject({ success: false, errorKind: 'connection-closed' });
      expect(result.error).toContain('kex_exchange_identification');
    });

    it('passphrase-required: the encrypted key under BatchMode', async () => {
      const result = await testConnection(remoteFor(info, bash(), { privateKeyPath: info.encryptedClientKey }));
      expect(result).toMatchObject({ success: false, errorKind: 'passphrase-required' });
      expect(result.hint).toMatch(/ssh-agent/);
    });

    it('key-unreadable: a key path that does not exist', async () => {
      const result = await testConnection(remoteFor(info, bash(), { privateKeyPath: path.join(dir, 'no_such_key') }));
      expect(result).toMatchObject({ success: false, errorKind: 'key-unreadable' });
      expect(result.error).toContain('not accessible');
    });

    it('key-unreadable: a key file with open permissions', async () => {
      const openKey = path.join(dir, 'open_key');
      fs.copyFileSync(info.clientKey, openKey);
      fs.chmodSync(openKey, 0o644);
      const result = await testConnection(remoteFor(info, bash(), { privateKeyPath: openKey }));
      expect(result).toMatchObject({ success: false, errorKind: 'key-unreadable' });
      expect(result.error).toContain('bad permissions');
    });

    it('agent-not-found and cwd-missing through runWithSsh', async () => {
      const remote = remoteFor(info, bash());
      const store = createMemoryStoreAdapter([remote]);
      const agentSsh = { enabled: true, remoteId: remote.id };
      expect((await runWithSsh({ command: 'sshwrap-no-such-agent', cwd: '~' }, agentSsh, store)).errorKind).toBe('agent-not-found');
      expect((await runWithSsh({ command: 'true', cwd: '/sshwrap-missing-dir' }, agentSsh, store)).errorKind).toBe('cwd-missing');
    });
  });
});
