import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runWithSsh } from '../../src/exec/index.js';
import { clearSshConfigCache, createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { parseSshRemoteConfig, type SshRemoteConfigInput } from '../../src/schemas/index.js';
import { testConnection } from '../../src/test-connection/index.js';
import { remoteFor } from '../testbed/index.js';
import { userFor } from '../exec/testbed-helpers.js';

const tb = inject('testbed');

describe.skipIf(!tb)('host-key and key errors against the real sshd', () => {
  const info = tb!;
  let dir: string;
  const bash = () => userFor(info, 'bash');

  async function run(remote: SshRemoteConfigInput, options: Parameters<typeof runWithSsh>[3] = {}) {
    const parsed = parseSshRemoteConfig(remote);
    return runWithSsh({ command: 'true', args: [], cwd: '~' }, { enabled: true, remoteId: parsed.id }, createMemoryStoreAdapter([parsed]), { timeoutMs: 30_000, ...options });
  }

  beforeAll(() => {
    dir = fs.mkdtempSync('/tmp/swhk-');
  });
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The testbed remote with only `knownHostsFile` deciding trust (no customOptions known-hosts file). */
  function strictWith(knownHostsFile: string, hostKeyPolicy: 'strict' | 'accept-new' = 'strict') {
    const remote = remoteFor(info, bash(), { id: `hk-${path.basename(knownHostsFile)}-${hostKeyPolicy}`, knownHostsFile, hostKeyPolicy });
    const { UserKnownHostsFile: _dropped, ...customOptions } = remote.customOptions;
    return { ...remote, customOptions };
  }

  it("host-key-unknown: strict and an empty known_hosts file (runWithSsh and testConnection), with the ssh-keyscan hint", async () => {
    const empty = path.join(dir, 'known_hosts_empty');
    fs.writeFileSync(empty, '');
    const result = await run(strictWith(empty));
    expect(result).toMatchObject({ remoteStarted: false, errorKind: 'host-key-unknown' });
    expect(result.errorMessage).toMatch(/No ED25519 host key is known for \[127\.0\.0\.1\]:\d+ and you have requested strict checking/);
    expect(result.hint).toContain(`ssh-keyscan -p ${info.port} 127.0.0.1`);
    const tested = await testConnection(strictWith(empty));
    expect(tested).toMatchObject({ success: false, errorKind: 'host-key-unknown' });
    // Nothing was added: strict never writes the file.
    expect(fs.readFileSync(empty, 'utf8')).toBe('');
  });

  it('the hint works: after ssh-keyscan >> known_hosts the same remote connects', async () => {
    const file = path.join(dir, 'known_hosts_scanned');
    fs.writeFileSync(file, '');
    expect((await run(strictWith(file))).errorKind).toBe('host-key-unknown');
    fs.writeFileSync(file, execFileSync('ssh-keyscan', ['-p', String(info.port), '-t', 'ed25519', '127.0.0.1'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    expect(await run(strictWith(file))).toMatchObject({ exitCode: 0, remoteExitCode: 0 });
  });

  it.each(['strict', 'accept-new'] as const)('host-key-changed (%s): known_hosts holds another key for [127.0.0.1]:port', async (policy) => {
    const changed = path.join(dir, `known_hosts_changed_${policy}`);
    const otherKey = fs.readFileSync(`${info.clientKey}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
    fs.writeFileSync(changed, `[127.0.0.1]:${info.port} ${otherKey}\n`);
    const result = await run(strictWith(changed, policy));
    expect(result).toMatchObject({ remoteStarted: false, errorKind: 'host-key-changed' });
    expect(result.errorMessage).toMatch(/Host key for \[127\.0\.0\.1\]:\d+ has changed|REMOTE HOST IDENTIFICATION HAS CHANGED/);
    expect((await testConnection(strictWith(changed, policy))).errorKind).toBe('host-key-changed');
  });

  it('passphrase-required: an encrypted key reached only through ssh_config IdentityFile (useSshConfig, -F file)', async () => {
    const config = path.join(dir, 'ssh_config_encrypted');
    fs.writeFileSync(
      config,
      [
        'Host enc-gpu',
        '  HostName 127.0.0.1',
        `  Port ${info.port}`,
        `  User ${bash().name}`,
        `  IdentityFile ${info.encryptedClientKey}`,
        '  IdentitiesOnly yes',
        '  IdentityAgent none',
        `  UserKnownHostsFile ${info.trustedKnownHostsFile}`,
        '  GlobalKnownHostsFile /dev/null',
        '',
      ].join('\n'),
    );
    clearSshConfigCache();
    const remote = { id: 'enc', host: 'enc-gpu', useSshConfig: true };
    const result = await run(remote, { sshConfigFile: config });
    expect(result).toMatchObject({ remoteStarted: false, errorKind: 'passphrase-required' });
    expect(result.errorMessage).toContain(`${info.encryptedClientKey} is encrypted`);
    expect(await testConnection(remote, undefined, { sshConfigFile: config })).toMatchObject({ success: false, errorKind: 'passphrase-required' });
    // The same config with a clear key logs in: the key, not the config, was the problem.
    fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace(info.encryptedClientKey, info.clientKey));
    clearSshConfigCache();
    expect(await run(remote, { sshConfigFile: config })).toMatchObject({ exitCode: 0, remoteExitCode: 0 });
  });

  it('a key ssh_config names but the server refuses, unencrypted, stays auth-failed', async () => {
    const wrongKey = path.join(dir, 'not_authorized');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrongKey]);
    const config = path.join(dir, 'ssh_config_wrong');
    fs.writeFileSync(
      config,
      ['Host wrong-gpu', '  HostName 127.0.0.1', `  Port ${info.port}`, `  User ${bash().name}`, `  IdentityFile ${wrongKey}`, '  IdentitiesOnly yes', '  IdentityAgent none', `  UserKnownHostsFile ${info.trustedKnownHostsFile}`, ''].join('\n'),
    );
    expect((await run({ id: 'wrong', host: 'wrong-gpu', useSshConfig: true }, { sshConfigFile: config })).errorKind).toBe('auth-failed');
  });
});
