import { describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { AgentSshRemoteConfigSchema, parseSshRemoteConfig, parseSshSpawnWrapConfig, SshRemoteConfigSchema } from '../../src/schemas/index.js';
import { STATUS_MARKER_TOKEN } from '../../src/schemas/fields.js';
import { assertSshPathOption } from '../../src/schemas/parse.js';
import { remoteWithoutPassphrase } from '../../src/schemas/remote-config.js';

const base = { id: 'gpu-1', name: 'GPU Server', host: 'gpu-server', port: 22, useSshConfig: true };

function codeOf(fn: () => unknown): { code: string; field: string | undefined; message: string } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SshWrapError);
    const e = error as SshWrapError;
    return { code: e.code, field: e.field, message: e.message };
  }
  throw new Error('expected a throw');
}

describe('SshRemoteConfigSchema', () => {
  it('parses the reference example and fills defaults', () => {
    const remote = parseSshRemoteConfig({ id: 'gpu-1', name: 'GPU Server', host: 'gpu-server', useSshConfig: true });
    expect(remote).toEqual({ ...base, enabled: true });
  });

  it('ignores unknown keys written by other apps (Maestro sshRemotes entries)', () => {
    const remote = parseSshRemoteConfig({ ...base, lastTestedAt: 123, color: 'red', enabled: false, remoteEnv: { A: '1' } });
    expect(remote).not.toHaveProperty('lastTestedAt');
    expect(remote.enabled).toBe(false);
    expect(remote.remoteEnv).toEqual({ A: '1' });
  });

  it.each([
    [{ ...base, id: '' }, 'INVALID_CONFIG', 'id'],
    [{ ...base, host: '' }, 'INVALID_CONFIG', 'host'],
    [{ ...base, host: '-oProxyCommand=touch /tmp/pwned' }, 'UNSAFE_ARGUMENT', 'host'],
    [{ ...base, host: 'a b' }, 'UNSAFE_ARGUMENT', 'host'],
    [{ ...base, host: 'a\u0000b' }, 'UNSAFE_ARGUMENT', 'host'],
    [{ ...base, host: 'evil@host' }, 'UNSAFE_ARGUMENT', 'host'],
    [{ ...base, host: 'ssh://x' }, 'UNSAFE_ARGUMENT', 'host'],
    [{ ...base, username: '-l' }, 'UNSAFE_ARGUMENT', 'username'],
    [{ ...base, username: 'a\tb' }, 'UNSAFE_ARGUMENT', 'username'],
    [{ ...base, port: 0 }, 'INVALID_CONFIG', 'port'],
    [{ ...base, port: 65536 }, 'INVALID_CONFIG', 'port'],
    [{ ...base, port: 22.5 }, 'INVALID_CONFIG', 'port'],
    [{ ...base, customOptions: { 'Bad Name': 'x' } }, 'INVALID_CONFIG', 'customOptions.Bad Name'],
    [{ ...base, customOptions: { ServerAliveInterval: '60\nProxyCommand x' } }, 'UNSAFE_ARGUMENT', 'customOptions.ServerAliveInterval'],
    [{ ...base, remoteEnv: { '1BAD': 'x' } }, 'INVALID_CONFIG', 'remoteEnv.1BAD'],
    [{ ...base, remoteEnv: { OK: 'a\u0000' } }, 'UNSAFE_ARGUMENT', 'remoteEnv.OK'],
    [{ ...base, privateKeyPath: '/k\u0000' }, 'UNSAFE_ARGUMENT', 'privateKeyPath'],
  ])('rejects %j with %s on %s', (input, code, field) => {
    const error = codeOf(() => parseSshRemoteConfig(input));
    expect(error.code).toBe(code);
    expect(error.field).toBe(field);
    expect(error.message).toContain(field.split('.')[0]);
  });

  it('accepts IPv6 literals, aliases and usernames with @ (ssh splits on the last @)', () => {
    expect(parseSshRemoteConfig({ ...base, host: '::1' }).host).toBe('::1');
    expect(parseSshRemoteConfig({ ...base, host: 'build_box.corp' }).host).toBe('build_box.corp');
    expect(parseSshRemoteConfig({ ...base, username: 'me@corp.example' }).username).toBe('me@corp.example');
  });

  it('keeps schema and type in one place', () => {
    const parsed = SshRemoteConfigSchema.parse(base);
    const port: number = parsed.port;
    expect(port).toBe(22);
  });
});

describe('AgentSshRemoteConfigSchema', () => {
  it('accepts null remoteId and an override', () => {
    expect(AgentSshRemoteConfigSchema.parse({ enabled: false, remoteId: null })).toEqual({ enabled: false, remoteId: null });
    expect(AgentSshRemoteConfigSchema.parse({ enabled: true, remoteId: 'x', workingDirOverride: '~/p' }).workingDirOverride).toBe('~/p');
  });
});

describe('parseSshSpawnWrapConfig', () => {
  it.each([
    [{ command: 'a\u0000', args: [], cwd: '/' }, 'command'],
    [{ command: 'a', args: ['ok', 'b\u0000'], cwd: '/' }, 'args[1]'],
    [{ command: 'a', args: [], cwd: '/\u0000' }, 'cwd'],
    [{ command: 'a', args: [], cwd: '/', prompt: 'p\u0000' }, 'prompt'],
    [{ command: 'a', args: [], cwd: '/', customEnvVars: { K: '\u0000' } }, 'customEnvVars.K'],
  ])('refuses NUL in %j', (input, field) => {
    const error = codeOf(() => parseSshSpawnWrapConfig(input));
    expect(error.code).toBe('UNSAFE_ARGUMENT');
    expect(error.field).toBe(field);
  });

  it('refuses bad env names as INVALID_CONFIG', () => {
    expect(codeOf(() => parseSshSpawnWrapConfig({ command: 'a', args: [], cwd: '/', customEnvVars: { 'A-B': '1' } })).code).toBe('INVALID_CONFIG');
  });
});

describe('parseSshSpawnWrapConfig results', () => {
  it('are frozen and accepted again without a second scan', () => {
    const parsed = parseSshSpawnWrapConfig({ command: 'a', args: ['x'], cwd: '/', prompt: 'p' });
    expect(Object.isFrozen(parsed)).toBe(true);
    expect(Object.isFrozen(parsed.args)).toBe(true);
    expect(parseSshSpawnWrapConfig(parsed)).toBe(parsed);
    // An equal but unvalidated object is still checked.
    expect(() => parseSshSpawnWrapConfig({ ...parsed, prompt: 'p\u0000' })).toThrow(/NUL/);
  });
});

// Maestro's exact stored shape for a remote whose user and key come from ~/.ssh/config.
const MAESTRO_SSH_CONFIG_REMOTE = { id: 'm1', name: 'Dev box', host: 'devbox', port: 22, useSshConfig: true, username: '', privateKeyPath: '' };

describe("'' in an optional text field means not set", () => {
  it("parses Maestro's stored shape with no username or privateKeyPath key", () => {
    const remote = parseSshRemoteConfig(MAESTRO_SSH_CONFIG_REMOTE);
    expect(remote).toEqual({ id: 'm1', name: 'Dev box', host: 'devbox', port: 22, useSshConfig: true, enabled: true });
    expect(Object.keys(remote)).not.toContain('username');
    expect(Object.keys(remote)).not.toContain('privateKeyPath');
  });

  it.each(['username', 'privateKeyPath', 'passphrase', 'knownHostsFile', 'hostKeyPolicy', 'remotePlatform'])('%s: "" leaves no key', (field) => {
    const remote = parseSshRemoteConfig({ ...base, [field]: '' });
    expect(field in remote).toBe(false);
    expect((remote as Record<string, unknown>)[field]).toBeUndefined();
  });

  it('also for the agent config (workingDirOverride: "" uses the spawn cwd)', () => {
    const agent = AgentSshRemoteConfigSchema.parse({ enabled: true, remoteId: 'm1', workingDirOverride: '' });
    expect(agent).toEqual({ enabled: true, remoteId: 'm1' });
    expect('workingDirOverride' in agent).toBe(false);
  });

  it('a non-empty value is still validated', () => {
    expect(codeOf(() => parseSshRemoteConfig({ ...base, username: ' ' })).field).toBe('username');
    expect(codeOf(() => parseSshRemoteConfig({ ...base, hostKeyPolicy: 'off' })).field).toBe('hostKeyPolicy');
  });
});

describe('paths that reach ssh never start with "-"', () => {
  it.each([
    ['privateKeyPath', '-oProxyCommand=touch /tmp/pwned'],
    ['privateKeyPath', '-'],
    ['knownHostsFile', '-oProxyCommand=x'],
    ['knownHostsFile', '--'],
  ])('%s %j is UNSAFE_ARGUMENT', (field, value) => {
    const error = codeOf(() => parseSshRemoteConfig({ ...base, [field]: value }));
    expect(error).toMatchObject({ code: 'UNSAFE_ARGUMENT', field });
    expect(error.message).toContain('must not start with "-"');
  });

  it('accepts the same path written as ./-name', () => {
    expect(parseSshRemoteConfig({ ...base, privateKeyPath: './-key' }).privateKeyPath).toBe('./-key');
  });
});

describe('assertSshPathOption', () => {
  it('passes unset values and ordinary paths', () => {
    for (const value of [undefined, '', '/etc/ssh/ssh_config', '~/.ssh/config', 'C:\\Users\\me\\.ssh\\config', './-cfg']) {
      expect(() => assertSshPathOption(value, 'sshConfigFile')).not.toThrow();
    }
  });

  it.each([
    ['-oProxyCommand=x', 'UNSAFE_ARGUMENT'],
    ['/a\nb', 'UNSAFE_ARGUMENT'],
    ['/a\u0000', 'UNSAFE_ARGUMENT'],
    [42, 'INVALID_CONFIG'],
  ])('refuses %j as %s naming the option', (value, code) => {
    const error = codeOf(() => assertSshPathOption(value, 'sshConfigFile'));
    expect(error).toMatchObject({ code, field: 'sshConfigFile' });
  });
});

describe('parsed remotes', () => {
  it('are frozen, records and arrays too, and accepted again without a second parse', () => {
    const remote = parseSshRemoteConfig({ ...base, customOptions: { Compression: 'yes' }, remoteEnv: { A: '1' }, jumpHosts: ['bastion'] });
    expect(Object.isFrozen(remote)).toBe(true);
    expect(Object.isFrozen(remote.customOptions)).toBe(true);
    expect(Object.isFrozen(remote.remoteEnv)).toBe(true);
    expect(Object.isFrozen(remote.jumpHosts)).toBe(true);
    expect(parseSshRemoteConfig(remote)).toBe(remote);
    const viaSchema = SshRemoteConfigSchema.parse(base);
    expect(parseSshRemoteConfig(viaSchema)).toBe(viaSchema);
  });

  it('an equal object that was not produced by the schema is validated', () => {
    const remote = parseSshRemoteConfig(base);
    expect(() => parseSshRemoteConfig({ ...remote, host: '-oProxyCommand=x' })).toThrow(SshWrapError);
    const copy = parseSshRemoteConfig({ ...remote });
    expect(copy).not.toBe(remote);
    expect(copy).toEqual(remote);
  });
});

describe('remoteWithoutPassphrase', () => {
  it('drops a hidden passphrase from a parsed remote and a plain one from a stored entry, keeping other keys', () => {
    const parsed = parseSshRemoteConfig({ ...base, passphrase: 'pp-secret' });
    expect(parsed.passphrase).toBe('pp-secret');
    const shown = remoteWithoutPassphrase(parsed);
    expect('passphrase' in shown).toBe(false);
    expect(shown).toEqual({ ...base, enabled: true });
    const stored = remoteWithoutPassphrase({ ...base, passphrase: 'pp-secret', appColor: 'red' });
    expect(stored).toEqual({ ...base, appColor: 'red' });
  });
});

describe('STATUS_MARKER_TOKEN', () => {
  it('is the one token rule: letters, digits, _ and -', () => {
    expect(['swm_0af3', 'A-b_9'].every((token) => STATUS_MARKER_TOKEN.test(token))).toBe(true);
    expect(["a'b", 'a b', '', 'a:b', 'é', 'a\n'].some((token) => STATUS_MARKER_TOKEN.test(token))).toBe(false);
  });
});
