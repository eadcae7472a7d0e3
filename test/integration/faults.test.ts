import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runWithSsh, type SshRunResult } from '../../src/exec/index.js';
import { createSshRemoteStoreAdapter } from '../../src/resolve/index.js';
import { eventually, processesWith } from '../exec/testbed-helpers.js';
import { remoteFor, startTestbed, type Testbed } from '../testbed/index.js';

// A private sshd (current user, own port) so this file may kill and restart it. Whether to run at
// all is the shared test bed's decision (global-setup.ts): under CI=true a missing one fails.
const tb = inject('testbed');
const RUN_LIMIT_MS = 20_000;

interface Fault {
  name: string;
  /** What identifies the outcome; every fault must produce a different one. */
  signature: string;
  result: SshRunResult;
  elapsedMs: number;
}

function signatureOf(result: SshRunResult): string {
  if (result.errorKind) return `error:${result.errorKind}`;
  if (result.connectionLost) return 'connection-lost';
  if (result.remoteSignal) return `remote-signal:${result.remoteSignal}`;
  return `remote-exit:${result.remoteExitCode}`;
}

describe.skipIf(!tb)('fault suite: every failure is distinct, bounded, leaves nothing behind, writes nothing', () => {
  let bed: Testbed;
  const faults: Fault[] = [];
  const settings = new Map<string, unknown>();
  const store = createSshRemoteStoreAdapter(settings);
  let storedBefore = '';

  beforeAll(async () => {
    bed = await startTestbed({ users: 'current' });
  });
  afterAll(async () => {
    await bed?.stop();
  });

  /** Runs one fault with a unique token in the remote command line, then checks nothing survives it. */
  async function fault(name: string, remoteExtra: object, command: string, args: string[], cwd = '~'): Promise<Fault> {
    const token = `fault-${randomBytes(6).toString('hex')}`;
    const remote = { ...remoteFor(bed, bed.users[0]!, remoteExtra), id: token };
    // A remote that names its own known-hosts file must not have it overridden by the bed's.
    if ('knownHostsFile' in remoteExtra) delete remote.customOptions.UserKnownHostsFile;
    settings.set('sshRemotes', [remote]);
    storedBefore = JSON.stringify(settings.get('sshRemotes'));
    const started = Date.now();
    const result = await runWithSsh({ command, args: [...args, token], cwd }, { enabled: true, remoteId: token }, store, { timeoutMs: RUN_LIMIT_MS });
    const record = { name, signature: signatureOf(result), result, elapsedMs: Date.now() - started };
    faults.push(record);
    expect(record.elapsedMs, `${name} took too long`).toBeLessThan(RUN_LIMIT_MS + 5_000);
    expect(result.timedOut, `${name} hit the run timeout`).toBe(false);
    // No local ssh and no remote process carrying this run's token are left.
    expect(await eventually(() => processesWith(token).length === 0, 5_000), `${name} left processes`).toBe(true);
    expect(JSON.stringify(settings.get('sshRemotes')), `${name} wrote to the store`).toBe(storedBefore);
    return record;
  }

  it('sshd killed mid-run: the run ends as connection-lost, no hang', async () => {
    const pending = fault('sshd killed mid-run', {}, 'sh', ['-c', 'sleep 30']);
    // Bounded wait for the remote command, then kill the server and its sessions.
    expect(await eventually(() => processesWith('sleep 30 fault-').length > 0, 10_000)).toBe(true);
    await bed.restart();
    const { result } = await pending;
    expect(result.connectionLost || result.exitCode === 255).toBe(true);
    expect(result.remoteStarted).toBe(true);
  });

  it('sshd restarted with a new host key: host-key-changed under strict, and never auto-accepted under accept-new', async () => {
    const known = path.join(bed.dir, 'known_hosts_fault');
    fs.copyFileSync(bed.trustedKnownHostsFile, known);
    await bed.restart({ newHostKey: true });
    const strict = await fault('new host key (strict)', { hostKeyPolicy: 'strict', knownHostsFile: known }, 'true', []);
    expect(strict.result.errorKind).toBe('host-key-changed');
    const acceptNewRemote = { ...remoteFor(bed, bed.users[0]!, { knownHostsFile: known }), id: 'x' };
    delete acceptNewRemote.customOptions.UserKnownHostsFile;
    const acceptNew = await runWithSsh({ command: 'true', args: [], cwd: '~' }, { enabled: true, remoteId: 'x' }, createSshRemoteStoreAdapter(new Map([['sshRemotes', [acceptNewRemote]]])));
    expect(acceptNew.errorKind).toBe('host-key-changed');
    // The operator accepts the new key; later faults start from a trusted host again.
    fs.writeFileSync(bed.knownHostsFile, '');
  });

  it('refused port', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    expect((await fault('refused port', { port: closed }, 'true', [])).result.errorKind).toBe('connection-refused');
  });

  it('blackhole listener: timeout within ConnectTimeout', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      const { result, elapsedMs } = await fault('blackhole listener', { port, customOptions: { ConnectTimeout: '2' } }, 'true', []);
      expect(result.errorKind).toBe('timeout');
      // Well below RUN_LIMIT_MS (20 s): ssh's ConnectTimeout ended it, not the run's own limit.
      expect(elapsedMs).toBeLessThan(2_000 + 12_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });

  it('unreadable key', async () => {
    const key = path.join(bed.dir, 'unreadable_key');
    fs.copyFileSync(bed.clientKey, key);
    fs.chmodSync(key, 0o644); // ssh refuses keys others can read
    expect((await fault('unreadable key', { privateKeyPath: key }, 'true', [])).result.errorKind).toBe('key-unreadable');
  });

  it('wrong user', async () => {
    expect((await fault('wrong user', { username: 'sshwrap-no-such-user' }, 'true', [])).result.errorKind).toBe('auth-failed');
  });

  it('remote cwd missing', async () => {
    expect((await fault('remote cwd missing', {}, 'true', [], '/sshwrap/no/such/dir')).result.errorKind).toBe('cwd-missing');
  });

  it('remote binary missing', async () => {
    expect((await fault('remote binary missing', {}, 'sshwrap-no-such-binary', [])).result.errorKind).toBe('agent-not-found');
  });

  it('remote killed by a signal', async () => {
    const { result } = await fault('remote killed by signal', {}, 'sh', ['-c', 'kill -TERM $$']);
    expect(result).toMatchObject({ remoteStarted: true, remoteSignal: 'SIGTERM', exitCode: 143 });
    expect(result.errorKind).toBeUndefined();
  });

  it('255 from the remote command itself', async () => {
    const { result } = await fault('remote exit 255', {}, 'sh', ['-c', 'exit 255']);
    expect(result).toMatchObject({ remoteStarted: true, remoteExitCode: 255, exitCode: 255 });
    expect(result.errorKind).toBeUndefined();
  });

  it('every fault above produced a different outcome', () => {
    expect(faults.map((f) => f.name)).toHaveLength(10);
    const bySignature = new Map<string, string[]>();
    for (const f of faults) bySignature.set(f.signature, [...(bySignature.get(f.signature) ?? []), f.name]);
    expect([...bySignature.entries()].filter(([, names]) => names.length > 1)).toEqual([]);
  });
});
