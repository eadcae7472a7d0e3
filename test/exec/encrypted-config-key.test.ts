import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runWithSsh } from '../../src/exec/index.js';
import { clearSshConfigCache, createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { fakeExecutor, type FakeChild } from './fake-executor.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sshwrap-cfgkey-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** An OpenSSH private key container naming `cipher` (all isEncryptedPrivateKey reads). */
function keyFile(name: string, cipher: string): string {
  const cipherName = Buffer.from(cipher);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(cipherName.length);
  const blob = Buffer.concat([Buffer.from('openssh-key-v1\0', 'latin1'), length, cipherName, Buffer.alloc(32)]);
  const target = path.join(dir, name);
  fs.writeFileSync(target, `-----BEGIN OPENSSH PRIVATE KEY-----\n${blob.toString('base64')}\n-----END OPENSSH PRIVATE KEY-----\n`, { mode: 0o600 });
  return target;
}

const DENIED = 'dev@gpu: Permission denied (publickey).\r\n';

/** runWithSsh against a fake ssh that denies the login and answers `ssh -G` with these IdentityFile lines. */
async function deniedWith(identityFiles: string[], extra: object = {}) {
  clearSshConfigCache();
  const executor = fakeExecutor((child: FakeChild) => {
    if (child.args[0] === '-G') {
      child.stdout.write(['hostname gpu', 'user dev', 'port 22', ...identityFiles.map((file) => `identityfile ${file}`), ''].join('\n'));
      child.exit(0);
      return;
    }
    child.stderr.write(DENIED);
    child.exit(255);
  });
  const store = createMemoryStoreAdapter([{ id: 'r', host: 'gpu', username: 'dev', useSshConfig: true, ...extra }]);
  const result = await runWithSsh({ command: 'claude', args: [], cwd: '/srv' }, { enabled: true, remoteId: 'r' }, store, { executor, retry: false, sshConfigFile: '/etc/cfg' });
  return { result, executor };
}

describe('an encrypted key from ~/.ssh/config IdentityFile', () => {
  it('is passphrase-required, naming the key; ssh -G got the run’s own arguments through the executor', async () => {
    const encrypted = keyFile('id_enc', 'aes256-ctr');
    const { result, executor } = await deniedWith([keyFile('id_clear', 'none'), encrypted]);
    expect(result).toMatchObject({ errorKind: 'passphrase-required' });
    expect(result.errorMessage).toContain(`(${encrypted} is encrypted)`);
    const probe = executor.children.find((child) => child.args[0] === '-G')!;
    expect(probe.args.slice(0, 3)).toEqual(['-G', '-F', '/etc/cfg']);
    // Up to the destination: the remote command (with its marker token) is not passed.
    expect(probe.args.slice(-2)).toEqual(['--', 'dev@gpu']);
  });

  it('stays auth-failed when every key ssh lists is clear or missing', async () => {
    const { result } = await deniedWith([keyFile('id_clear2', 'none'), path.join(dir, 'missing')]);
    expect(result.errorKind).toBe('auth-failed');
  });

  it('stays auth-failed when ssh -G fails', async () => {
    clearSshConfigCache();
    const executor = fakeExecutor((child: FakeChild) => {
      child.stderr.write(child.args[0] === '-G' ? 'bad config\n' : DENIED);
      child.exit(255);
    });
    const store = createMemoryStoreAdapter([{ id: 'r', host: 'gpu', username: 'dev', useSshConfig: true }]);
    const result = await runWithSsh({ command: 'claude', args: [], cwd: '/srv' }, { enabled: true, remoteId: 'r' }, store, { executor, retry: false });
    expect(result.errorKind).toBe('auth-failed');
  });

  it('is not asked for other failures', async () => {
    clearSshConfigCache();
    const executor = fakeExecutor((child: FakeChild) => {
      child.stderr.write('ssh: connect to host gpu port 22: Connection refused\r\n');
      child.exit(255);
    });
    const store = createMemoryStoreAdapter([{ id: 'r', host: 'gpu', username: 'dev' }]);
    await runWithSsh({ command: 'claude', args: [], cwd: '/srv' }, { enabled: true, remoteId: 'r' }, store, { executor, retry: false });
    expect(executor.children.some((child) => child.args[0] === '-G')).toBe(false);
  });
});
