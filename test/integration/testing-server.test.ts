import fs from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConnectionPool } from '../../src/pool/index.js';
import { runWithSsh, spawnWithSsh } from '../../src/exec/index.js';
import { testConnection } from '../../src/test-connection/index.js';
import { startTestSshServer } from '../../src/testing/index.js';
import { accepts } from '../../src/testing/test-ssh-server.js';
import { sshdAvailable } from '../testbed/index.js';

const available = sshdAvailable({ users: 'current' }).ok;

// sshwrap/testing is what consumers' CI uses: the current user, no testbed, no shared users.
describe.skipIf(!available)('sshwrap/testing: startTestSshServer', () => {
  it('serves the current user: a run, a pooled run and testConnection, then stop() leaves nothing', async () => {
    const server = await startTestSshServer({ id: 'ci' });
    const pool = new ConnectionPool();
    try {
      expect(server.remote).toMatchObject({ id: 'ci', host: '127.0.0.1', port: server.port, username: os.userInfo().username, hostKeyPolicy: 'strict' });
      const plain = await runWithSsh({ command: 'sh', args: ['-c', 'id -un; printf "%s" "$1"', 'sh', 'a b $c'], cwd: '~' }, server.agentSsh, server.store);
      expect(plain).toMatchObject({ stdout: `${os.userInfo().username}\na b $c`, stderr: '', remoteExitCode: 0 });
      const pooled = await runWithSsh({ command: 'echo', args: ['pooled'], cwd: '~' }, server.agentSsh, server.store, { multiplex: true, connectionPool: pool });
      expect(pooled).toMatchObject({ stdout: 'pooled\n', remoteExitCode: 0 });
      const tested = await testConnection(server.remote, 'sh');
      expect(tested).toMatchObject({ success: true });
    } finally {
      await pool.closeAll();
      await server.stop();
    }
    expect(await accepts(server.port)).toBe(false);
    expect(fs.existsSync(server.logFile)).toBe(false);
    // Idempotent.
    await server.stop();
  });

  it('stop() also ends the sessions it still serves', async () => {
    const server = await startTestSshServer();
    const { child } = await spawnWithSsh({ command: 'sleep', args: ['300'], cwd: '~' }, server.agentSsh, server.store);
    const ended = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // Bounded wait until the session runs (the remote pid marker has been read).
    let running = false;
    child.stderr?.on('data', () => (running = true));
    for (let i = 0; i < 200 && !running; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    const stoppedAt = Date.now();
    await server.stop();
    const code = await ended;
    expect(code).not.toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(20_000);
  });

  it('two servers at once get two ports and two keys', async () => {
    const [a, b] = await Promise.all([startTestSshServer({ id: 'a' }), startTestSshServer({ id: 'b' })]);
    try {
      expect(a.port).not.toBe(b.port);
      expect(a.hostPublicKey).not.toBe(b.hostPublicKey);
      // a's client key is not authorised on b, and b's host key is not in a's known_hosts.
      const crossed = await runWithSsh({ command: 'true', args: [], cwd: '~' }, { enabled: true, remoteId: 'a' }, {
        getSshRemotes: () => [{ ...a.remote, port: b.port }],
      } as never);
      expect(crossed.errorKind).toMatch(/^host-key-/);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
