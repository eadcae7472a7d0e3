import { describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { runWithSsh, spawnWithSsh, type SpawnExecutor } from '../../src/exec/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { wrapSpawnWithSsh } from '../../src/exec/index.js';

const base = { id: 'r', name: 'R', host: 'example.internal', username: 'dev', useSshConfig: false };
const spawnConfig = { command: 'claude', args: ['--print'], cwd: '~' };

/** Remote configs that try to turn data into ssh options or extra commands. */
const HOSTILE_REMOTES: Array<[string, object]> = [
  ['host as option', { host: '-oProxyCommand=touch /tmp/pwned' }],
  ['host as short option', { host: '-J' }],
  ['host with space', { host: 'example.internal -oProxyCommand=x' }],
  ['host with newline', { host: 'h\nProxyCommand x' }],
  ['host with NUL', { host: 'h\u0000x' }],
  ['host with user part', { host: 'root@h' }],
  ['host as ssh:// URI', { host: 'ssh://root@h:22' }],
  ['user as option', { username: '-oProxyCommand=x' }],
  ['user with space', { username: 'dev -p 1' }],
  ['user with tab', { username: 'dev\t' }],
  ['jump host as option', { jumpHosts: ['-oProxyCommand=x'] }],
  ['jump host smuggling a second hop', { jumpHosts: ['a,-oProxyCommand=x'] }],
  ['jump host with user as option', { jumpHosts: ['-x@h'] }],
  ['jump host with space', { jumpHosts: ['h -o x'] }],
  ['key path with newline', { privateKeyPath: '/k\nProxyCommand x' }],
  ['key path with NUL', { privateKeyPath: '/k\u0000' }],
  ['known hosts file with newline', { knownHostsFile: '/k\nx' }],
  ['ProxyCommand', { customOptions: { ProxyCommand: 'sh -c "touch /tmp/pwned"' } }],
  ['proxycommand (case)', { customOptions: { proxycommand: 'x' } }],
  ['LocalCommand', { customOptions: { LocalCommand: 'x', PermitLocalCommand: 'yes' } }],
  ['PermitLocalCommand', { customOptions: { PermitLocalCommand: 'yes' } }],
  ['KnownHostsCommand', { customOptions: { KnownHostsCommand: 'x' } }],
  ['RemoteCommand', { customOptions: { RemoteCommand: 'x' } }],
  ['Match exec', { customOptions: { Match: 'exec "touch /tmp/pwned"' } }],
  ['Include', { customOptions: { Include: '/tmp/evil' } }],
  ['option value with newline', { customOptions: { ServerAliveInterval: '1\nProxyCommand x' } }],
  ['option name with space', { customOptions: { 'Proxy Command': 'x' } }],
  ['option name with =', { customOptions: { 'A=B': 'x' } }],
  ['host-key checking off', { customOptions: { StrictHostKeyChecking: 'no' } }],
  ['host-key checking off, quoted', { customOptions: { StrictHostKeyChecking: '"no"' } }],
  ['host-key checking off, with comment', { customOptions: { StrictHostKeyChecking: 'no # x' } }],
  ['host-key checking off as false', { customOptions: { stricthostkeychecking: 'false' } }],
  ['known hosts in /dev/null', { customOptions: { UserKnownHostsFile: '/dev/null' } }],
  ['PKCS11Provider loads a library', { customOptions: { PKCS11Provider: '/tmp/evil.so' } }],
  ['SecurityKeyProvider loads a library', { customOptions: { SecurityKeyProvider: '/tmp/evil.so' } }],
  ['remoteEnv name injection', { remoteEnv: { 'X=1; rm -rf ~; Y': '1' } }],
  ['remoteEnv value NUL', { remoteEnv: { X: '\u0000' } }],
];

const HOSTILE_SPAWNS: Array<[string, object]> = [
  ['command as option', { command: '-oProxyCommand=x' }],
  ['agent binary as option', { agentBinaryName: '--help' }],
  ['NUL in arg', { args: ['a\u0000b'] }],
  ['NUL in cwd', { cwd: '/tmp\u0000' }],
  ['NUL in prompt', { prompt: 'p\u0000' }],
  ['env name with =', { customEnvVars: { 'A=B': '1' } }],
  ['env name with space', { customEnvVars: { 'A B': '1' } }],
  ['env name starting with digit', { customEnvVars: { '1A': '1' } }],
];

function recordingExecutor(): SpawnExecutor & { calls: number } {
  const executor = {
    calls: 0,
    spawn(): never {
      executor.calls++;
      throw new Error('must not spawn');
    },
  };
  return executor;
}

describe('option and command injection is refused before anything spawns', () => {
  it.each(HOSTILE_REMOTES)('remote: %s', async (_name, hostile) => {
    const store = createMemoryStoreAdapter([{ ...base, ...hostile }]);
    const executor = recordingExecutor();
    const agent = { enabled: true, remoteId: 'r' };
    for (const attempt of [
      wrapSpawnWithSsh(spawnConfig, agent, store),
      runWithSsh(spawnConfig, agent, store, { executor }),
      spawnWithSsh(spawnConfig, agent, store, { executor }),
    ]) {
      const error = await attempt.then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(SshWrapError);
      expect(['UNSAFE_ARGUMENT', 'INVALID_CONFIG']).toContain((error as SshWrapError).code);
    }
    expect(executor.calls).toBe(0);
  });

  it.each(HOSTILE_SPAWNS)('spawn config: %s', async (_name, hostile) => {
    const store = createMemoryStoreAdapter([base]);
    const executor = recordingExecutor();
    const error = await runWithSsh({ ...spawnConfig, ...hostile }, { enabled: true, remoteId: 'r' }, store, { executor }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(SshWrapError);
    expect(executor.calls).toBe(0);
  });

  it('security problems are UNSAFE_ARGUMENT, not just invalid', async () => {
    const unsafe = HOSTILE_REMOTES.filter(([name]) => /option|ProxyCommand|proxycommand|Command|Match|Include|NUL|newline|checking off|dev\/null|Provider/.test(name) && !/option name/.test(name));
    for (const [name, hostile] of unsafe) {
      const error = await wrapSpawnWithSsh(spawnConfig, { enabled: true, remoteId: 'r' }, createMemoryStoreAdapter([{ ...base, ...hostile }])).catch((e: unknown) => e);
      expect((error as SshWrapError).code, name).toBe('UNSAFE_ARGUMENT');
    }
  });

  it('an explicitly allowed ProxyCommand is passed through once', async () => {
    const store = createMemoryStoreAdapter([{ ...base, customOptions: { ProxyCommand: 'nc %h %p' } }]);
    const result = await wrapSpawnWithSsh(spawnConfig, { enabled: true, remoteId: 'r' }, store, { allowUnsafeOptions: ['ProxyCommand'] });
    expect(result.args.filter((a) => a.startsWith('ProxyCommand='))).toEqual(['ProxyCommand=nc %h %p']);
  });
});
