import os from 'node:os';
import { beforeEach, describe, expect, it } from 'vitest';
import { clearSshConfigCache, describeEffectiveRemote } from '../../src/resolve/index.js';
import { parseSshRemoteConfig, type SshRemoteConfig } from '../../src/schemas/index.js';
import { fakeExecutor } from '../exec/fake-executor.js';

const executor = fakeExecutor((child) => {
  child.stdout.write('user cfguser\nhostname resolved.example\nport 2200\n');
  child.exit(0);
});

beforeEach(() => {
  clearSshConfigCache();
  executor.children.length = 0;
});

describe('describeEffectiveRemote', () => {
  it('reads useSshConfig: false remotes straight from the config, without spawning', async () => {
    const remote = parseSshRemoteConfig({ id: 'r', host: 'h.example', port: 2022, username: 'dev' });
    expect(await describeEffectiveRemote(remote, { executor })).toEqual({ user: 'dev', hostname: 'h.example', port: 2022, source: 'remote-config' });
    expect(executor.children).toHaveLength(0);
  });

  it('falls back to the local user like ssh does, and lets customOptions win (first value)', async () => {
    expect((await describeEffectiveRemote(parseSshRemoteConfig({ id: 'r', host: 'h' }))).user).toBe(os.userInfo().username);
    const remote = parseSshRemoteConfig({ id: 'r', host: 'h', username: 'dev', port: 2022, customOptions: { port: '2300', User: 'ops', HostName: 'real.example' } });
    expect(await describeEffectiveRemote(remote)).toEqual({ user: 'ops', hostname: 'real.example', port: 2300, source: 'remote-config' });
  });

  it('asks ssh -G with the remote overrides on the command line for useSshConfig: true', async () => {
    const remote = parseSshRemoteConfig({
      id: 'r', host: 'app', username: 'bob', port: 2022, useSshConfig: true,
      customOptions: { HostName: 'x.example', ProxyCommand: 'nc %h %p', ConnectTimeout: '5' },
    });
    expect(await describeEffectiveRemote(remote, { executor, configFile: '/cfg' })).toEqual({ user: 'cfguser', hostname: 'resolved.example', port: 2200, source: 'ssh-config' });
    expect(executor.children[0]!.args).toEqual(['-G', '-F', '/cfg', '-o', 'HostName=x.example', '-p', '2022', '--', 'bob@app']);
  });

  it('leaves user and port 22 to the config', async () => {
    await describeEffectiveRemote(parseSshRemoteConfig({ id: 'r', host: 'app', useSshConfig: true }), { executor });
    expect(executor.children[0]!.args).toEqual(['-G', '--', 'app']);
  });
});

describe('describeEffectiveRemote input', () => {
  it('validates a remote that never went through the schema before anything reaches ssh -G', async () => {
    const recording = fakeExecutor(() => {});
    const hostile = { id: 'r', name: '', host: 'h', port: 22, enabled: true, useSshConfig: true, username: '-oProxyCommand=x' } as SshRemoteConfig;
    await expect(describeEffectiveRemote(hostile, { executor: recording })).rejects.toMatchObject({ code: 'UNSAFE_ARGUMENT', field: 'username' });
    expect(recording.children).toHaveLength(0);
  });
});
