import { describe, expect, it } from 'vitest';
import { createAskpass } from '../../src/auth/index.js';
import { runWithSsh, spawnWithSsh } from '../../src/exec/index.js';
import { groomContext } from '../../src/groom/index.js';
import { ConnectionPool } from '../../src/pool/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { testConnection } from '../../src/test-connection/index.js';
import { fakeExecutor } from './fake-executor.js';

const remote = { id: 'gpu-1', host: 'gpu', username: 'dev' };
const store = createMemoryStoreAdapter([remote]);
const agentSsh = { enabled: true, remoteId: 'gpu-1' };
const config = { command: 'claude', args: ['--print'], cwd: '/p' };

describe('an unknown option is INVALID_CONFIG naming it, and nothing is spawned', () => {
  it('runWithSsh', async () => {
    const executor = fakeExecutor(() => {});
    const error = await runWithSsh(config, agentSsh, store, { executor, timeoutMS: 5 } as never).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_CONFIG', field: 'timeoutMS', message: expect.stringContaining('did you mean timeoutMs?') });
    expect(executor.children).toHaveLength(0);
  });

  it('runWithSsh refuses the spawn-only keepStdin (nobody could write to it)', async () => {
    const executor = fakeExecutor(() => {});
    await expect(runWithSsh(config, agentSsh, store, { executor, keepStdin: true } as never)).rejects.toMatchObject({ code: 'INVALID_CONFIG', field: 'keepStdin' });
    expect(executor.children).toHaveLength(0);
  });

  it('spawnWithSsh, and a spawn config key such as Maestro images', async () => {
    const executor = fakeExecutor(() => {});
    await expect(spawnWithSsh(config, agentSsh, store, { executor, onStdout: () => {} } as never)).rejects.toMatchObject({ code: 'INVALID_CONFIG', field: 'onStdout' });
    await expect(spawnWithSsh({ ...config, images: ['a.png'] } as never, agentSsh, store, { executor })).rejects.toMatchObject({ code: 'INVALID_CONFIG', field: 'images' });
    expect(executor.children).toHaveLength(0);
  });

  it('groomContext', async () => {
    const executor = fakeExecutor(() => {});
    await expect(groomContext('/p', 'claude-code', 'hi', { executor, customEnv: {} } as never)).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      field: 'customEnv',
      message: expect.stringContaining('did you mean customEnvVars?'),
    });
    expect(executor.children).toHaveLength(0);
  });

  it('testConnection reports it without throwing (it never throws)', async () => {
    const executor = fakeExecutor(() => {});
    const result = await testConnection(remote, 'claude', { executor, timeout: 5 } as never);
    expect(result).toMatchObject({ success: false, error: expect.stringContaining('"timeout" (did you mean timeoutMs?)') });
    expect(executor.children).toHaveLength(0);
  });

  it('createAskpass and multiplex settings', async () => {
    await expect(createAskpass({ onPrompt: () => null, timeout: 1 } as never)).rejects.toMatchObject({ code: 'INVALID_CONFIG', field: 'timeout' });
    const pool = new ConnectionPool({ controlDir: '/nonexistent-sshwrap' });
    await expect(pool.acquire(remote as never, { maxConcurrentPerhost: 2 } as never)).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
  });
});

describe('pool and ssh_config options are checked the same way', () => {
  it('ConnectionPool, acquire, resolveSshConfigHost, describeEffectiveRemote', async () => {
    const { resolveSshConfigHost, describeEffectiveRemote } = await import('../../src/resolve/index.js');
    const { parseSshRemoteConfig } = await import('../../src/schemas/index.js');
    const executor = fakeExecutor(() => {});
    expect(() => new ConnectionPool({ controlDirectory: '/tmp' } as never)).toThrow(/did you mean controlDir\?/);
    await expect(new ConnectionPool({ executor }).acquire(parseSshRemoteConfig(remote), true, { timeoutMs: 1 } as never)).rejects.toMatchObject({ code: 'INVALID_CONFIG', field: 'timeoutMs' });
    await expect(resolveSshConfigHost('gpu', { executor, configfile: '/x' } as never)).rejects.toMatchObject({ field: 'configfile', message: expect.stringContaining('configFile') });
    await expect(describeEffectiveRemote(parseSshRemoteConfig(remote), { executor, ssh: 'x' } as never)).rejects.toMatchObject({ field: 'ssh' });
    expect(executor.children).toHaveLength(0);
  });
});

describe('closestKey', () => {
  it('suggests the intended key for typos, truncations and case slips, and nothing for unrelated names', async () => {
    const { closestKey } = await import('../../src/schemas/index.js');
    const keys = ['prompt', 'promptArgs', 'customEnvVars', 'customPath', 'timeoutMs', 'secretEnv'];
    expect(closestKey('promptArg', keys)).toBe('promptArgs');
    expect(closestKey('customEnv', keys)).toBe('customEnvVars');
    expect(closestKey('timeoutMS', keys)).toBe('timeoutMs');
    expect(closestKey('secretEnvs', keys)).toBe('secretEnv');
    expect(closestKey('images', keys)).toBeUndefined();
  });
});

describe('ssh paths from options never start with "-"', () => {
  it('sshPath and sshConfigFile on the runners, the pool and ssh -G: UNSAFE_ARGUMENT, nothing spawned', async () => {
    const { resolveSshConfigHost } = await import('../../src/resolve/index.js');
    const { parseSshRemoteConfig } = await import('../../src/schemas/index.js');
    const { wrapSpawnWithSsh } = await import('../../src/exec/index.js');
    const executor = fakeExecutor(() => {});
    await expect(runWithSsh(config, agentSsh, store, { executor, sshPath: '-oProxyCommand=x' })).rejects.toMatchObject({ code: 'UNSAFE_ARGUMENT', field: 'sshPath' });
    await expect(spawnWithSsh(config, agentSsh, store, { executor, sshConfigFile: '-F/x' })).rejects.toMatchObject({ code: 'UNSAFE_ARGUMENT', field: 'sshConfigFile' });
    await expect(wrapSpawnWithSsh(config, agentSsh, store, { sshPath: '-x' })).rejects.toMatchObject({ code: 'UNSAFE_ARGUMENT', field: 'sshPath' });
    await expect(new ConnectionPool({ executor }).acquire(parseSshRemoteConfig(remote), true, { sshPath: '-x' })).rejects.toMatchObject({ code: 'UNSAFE_ARGUMENT' });
    await expect(resolveSshConfigHost('gpu', { executor, configFile: '-oX' })).rejects.toMatchObject({ code: 'UNSAFE_ARGUMENT', field: 'configFile' });
    expect(executor.children).toHaveLength(0);
  });
});
