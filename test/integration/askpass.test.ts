import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { createAskpass, passphraseAskpass, type Askpass } from '../../src/auth/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { wrapSpawnWithSsh } from '../../src/exec/index.js';
import { remoteFor, type TestbedInfo } from '../testbed/index.js';

const tb = inject('testbed');

async function runWithAskpass(info: TestbedInfo, askpass: Askpass): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const remote = remoteFor(info, info.users[0]!, { privateKeyPath: info.encryptedClientKey });
  const wrapped = await wrapSpawnWithSsh({ command: 'echo', args: ['unlocked'], cwd: '~' }, { enabled: true, remoteId: remote.id }, createMemoryStoreAdapter([remote]), {
    managedSshOptions: { ...askpass.sshOptions },
  });
  return new Promise((resolve, reject) => {
    const child = spawn(wrapped.command, wrapped.args, { cwd: wrapped.cwd, env: { ...process.env, ...askpass.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.stdin.end();
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!tb)('askpass bridge with a real passphrase-protected key', () => {
  const info = tb as TestbedInfo;

  it('answers the passphrase prompt through the app callback; the secret is on no argv', async () => {
    const prompts: string[] = [];
    const askpass = await createAskpass({
      onPrompt: ({ prompt }) => {
        prompts.push(prompt);
        return 'testpass';
      },
    });
    try {
      expect(statSync(askpass.env.SSH_ASKPASS!).mode & 0o777).toBe(0o700);
      expect(statSync(dirname(askpass.env.SSH_ASKPASS!)).mode & 0o777).toBe(0o700);
      const result = await runWithAskpass(info, askpass);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('unlocked\n');
      expect(prompts).toHaveLength(1);
      expect(prompts[0]).toMatch(/passphrase/i);
    } finally {
      await askpass.close();
    }
    expect(existsSync(askpass.env.SSH_ASKPASS!)).toBe(false);
  });

  it('a refused or wrong passphrase fails authentication instead of hanging', async () => {
    const refusing = await createAskpass({ onPrompt: () => null });
    const wrong = await passphraseAskpass('not-the-passphrase');
    try {
      for (const askpass of [refusing, wrong]) {
        const result = await runWithAskpass(info, askpass);
        expect(result.code).toBe(255);
        expect(result.stderr).toContain('Permission denied');
      }
    } finally {
      await refusing.close();
      await wrong.close();
    }
  });

  it('passphraseAskpass unlocks with a stored passphrase', async () => {
    const askpass = await passphraseAskpass('testpass');
    try {
      expect((await runWithAskpass(info, askpass)).stdout).toBe('unlocked\n');
    } finally {
      await askpass.close();
    }
  });
});

describe.skipIf(!tb)('a remote with a stored passphrase', () => {
  const info = tb as TestbedInfo;

  it('runWithSsh and testConnection unlock the key through a per-run bridge, then remove it', async () => {
    const { runWithSsh } = await import('../../src/exec/index.js');
    const { testConnection } = await import('../../src/test-connection/index.js');
    const remote = remoteFor(info, info.users[0]!, { privateKeyPath: info.encryptedClientKey, passphrase: 'testpass' });
    const store = createMemoryStoreAdapter([remote]);
    const before = new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('sshwrap-askpass-')));
    const result = await runWithSsh({ command: 'echo', args: ['unlocked'], cwd: '~' }, { enabled: true, remoteId: remote.id }, store);
    expect(result.errorKind).toBeUndefined();
    expect(result.stdout).toBe('unlocked\n');
    expect(result.wrapped.args.join(' ')).not.toContain('testpass');
    expect(await testConnection(remote)).toMatchObject({ success: true });
    // A parsed remote (passphrase non-enumerable), as SshRemoteManager passes it, too.
    const { parseSshRemoteConfig } = await import('../../src/schemas/index.js');
    expect(await testConnection(parseSshRemoteConfig(remote))).toMatchObject({ success: true });
    const after = readdirSync(tmpdir()).filter((name) => name.startsWith('sshwrap-askpass-') && !before.has(name));
    expect(after).toEqual([]);
  });

  it('a pooled master for a passphrase-protected key is unlocked through the bridge too', async () => {
    const { runWithSsh } = await import('../../src/exec/index.js');
    const { ConnectionPool } = await import('../../src/pool/index.js');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const controlDir = mkdtempSync('/tmp/swap-');
    const pool = new ConnectionPool({ controlDir });
    try {
      const remote = remoteFor(info, info.users[0]!, { privateKeyPath: info.encryptedClientKey, passphrase: 'testpass' });
      const store = createMemoryStoreAdapter([remote]);
      for (const word of ['first', 'second']) {
        const result = await runWithSsh({ command: 'echo', args: [word], cwd: '~' }, { enabled: true, remoteId: remote.id }, store, { multiplex: true, connectionPool: pool });
        expect(result).toMatchObject({ exitCode: 0, stdout: `${word}\n` });
        expect(result.errorKind).toBeUndefined();
      }
    } finally {
      await pool.closeAll();
      rmSync(controlDir, { recursive: true, force: true });
    }
  });

  it('without the passphrase the same key is passphrase-required, not a hang', async () => {
    const { runWithSsh } = await import('../../src/exec/index.js');
    const remote = remoteFor(info, info.users[0]!, { privateKeyPath: info.encryptedClientKey });
    const result = await runWithSsh({ command: 'true', args: [], cwd: '~' }, { enabled: true, remoteId: remote.id }, createMemoryStoreAdapter([remote]));
    expect(result.errorKind).toBe('passphrase-required');
  });
});
