import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SshWrapError } from '../../src/errors/index.js';
import { parseAgentSshRemoteConfig, parseSshRemoteConfig, parseSshSpawnWrapConfig, ENV_NAME } from '../../src/schemas/index.js';
import { emptyMeansUnset, envName, hostField, jumpHostField, noNul, remoteCommandField, sshOptionsRecord, sshPathField, sshToken, withoutUnsetKeys } from '../../src/schemas/fields.js';
import { parseWith } from '../../src/schemas/parse.js';
import { isProducedRemote } from '../../src/schemas/remote-config.js';
import { refusal } from '../helpers/refusal.js';


/** `value` checked by `schema` as the field `f`: the SshWrapError's code and message, or 'ok'. */
function check(schema: z.ZodType, value: unknown): string {
  try {
    parseWith(schema, value, 'f', 'f');
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(SshWrapError);
    const { code, field, message } = error as SshWrapError;
    expect(field).toBe('f');
    return `${code}: ${message}`;
  }
}

describe('noNul', () => {
  it('refuses NUL anywhere as UNSAFE_ARGUMENT, with the label', () => {
    expect(check(noNul('lbl'), 'a\u0000b')).toBe('UNSAFE_ARGUMENT: Invalid f: f: lbl must not contain a NUL byte');
    expect(check(noNul('lbl'), '\u0000')).toMatch(/^UNSAFE_ARGUMENT/);
    expect(check(noNul('lbl'), 'a\u0001b')).toBe('ok');
    expect(check(noNul('lbl'), '')).toBe('ok');
  });
});

describe('envName', () => {
  it.each([['A'], ['_'], ['_a1'], ['abc_DEF_9']])('accepts %j', (name) => {
    expect(check(envName('env'), name)).toBe('ok');
    expect(ENV_NAME.test(name)).toBe(true);
  });

  it.each([[''], ['1A'], ['-A'], ['A-B'], ['A B'], ['A\n'], ['\nA'], ['A.B'], ['é']])('refuses %j as INVALID_CONFIG', (name) => {
    expect(check(envName('env'), name)).toBe('INVALID_CONFIG: Invalid f: f: env: variable names must match [A-Za-z_][A-Za-z0-9_]*');
  });
});

describe('remoteCommandField', () => {
  it('is not empty, has no NUL and no leading "-"', () => {
    expect(check(remoteCommandField('cmd'), '')).toBe('INVALID_CONFIG: Invalid f: f: cmd must not be empty');
    expect(check(remoteCommandField('cmd'), '-x')).toBe('UNSAFE_ARGUMENT: Invalid f: f: cmd must not start with "-" (the remote shell would read it as an option)');
    expect(check(remoteCommandField('cmd'), 'a\u0000')).toMatch(/^UNSAFE_ARGUMENT: .*cmd must not contain a NUL byte/);
    expect(check(remoteCommandField('cmd'), 'a-b')).toBe('ok');
    expect(check(remoteCommandField('cmd'), 'x')).toBe('ok');
  });
});

describe('sshOptionsRecord', () => {
  it.each([['A'], ['a1'], ['ControlPath'], ['X9y']])('accepts the name %j', (name) => {
    expect(check(sshOptionsRecord('opts'), { [name]: 'v' })).toBe('ok');
  });

  it.each([['1A'], ['A_B'], ['A-B'], ['A B'], [''], ['A\n'], ['\nA']])('refuses the name %j', (name) => {
    const error = refusal(() => parseWith(sshOptionsRecord('opts'), { [name]: 'v' }, 'opts', 'opts'));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.field).toBe(`opts.${name}`);
    expect(error.message).toBe(`Invalid opts: opts.${name}: opts: option names must match [A-Za-z][A-Za-z0-9]*`);
  });

  it.each([['a\nb'], ['a\rb'], ['\r'], ['a\u0000']])('refuses the value %j as UNSAFE_ARGUMENT', (value) => {
    const error = refusal(() => parseWith(sshOptionsRecord('opts'), { Name: value }, 'opts', 'opts'));
    expect(error.code).toBe('UNSAFE_ARGUMENT');
    expect(error.field).toBe('opts.Name');
    expect(error.message).toBe('Invalid opts: opts.Name: opts: values must not contain newlines or NUL');
  });

  it('accepts values with spaces, tabs, quotes and #', () => {
    expect(check(sshOptionsRecord('opts'), { A: ' a\tb "c" # d', B: '' })).toBe('ok');
  });
});

describe('sshPathField', () => {
  it('checks emptiness, the leading "-", newlines and NUL, with messages that say what to do', () => {
    expect(check(sshPathField('key'), '')).toBe('INVALID_CONFIG: Invalid f: f: key must not be empty');
    expect(check(sshPathField('key'), '-k')).toBe('UNSAFE_ARGUMENT: Invalid f: f: key must not start with "-" (ssh would read it as an option); write ./-k for a relative path');
    expect(check(sshPathField('key'), '/a\nb')).toBe('UNSAFE_ARGUMENT: Invalid f: f: key must not contain newlines');
    expect(check(sshPathField('key'), '/a\rb')).toBe('UNSAFE_ARGUMENT: Invalid f: f: key must not contain newlines');
    expect(check(sshPathField('key'), '/a\u0000')).toMatch(/^UNSAFE_ARGUMENT: .*key must not contain a NUL byte/);
    expect(check(sshPathField('key'), '/a-b c')).toBe('ok');
    expect(check(sshPathField('key'), 'a-\nb')).toMatch(/newlines/);
  });
});

describe('sshToken and hostField', () => {
  it.each(['h', 'a.b-c_d', '::1', '10.0.0.1', 'xssh:1', 'sshhost', 'é'])('host %j is accepted', (host) => {
    expect(check(hostField, host)).toBe('ok');
  });

  it('refuses an empty token as INVALID_CONFIG', () => {
    expect(check(sshToken('user'), '')).toBe('INVALID_CONFIG: Invalid f: f: user must not be empty');
  });

  it.each([
    ['-h', 'user must not start with "-" (ssh would read it as an option)'],
    ['a b', 'user must not contain whitespace, control characters or NUL'],
    ['a\tb', 'user must not contain whitespace, control characters or NUL'],
    ['a\u001fb', 'user must not contain whitespace, control characters or NUL'],
    ['a\u007f', 'user must not contain whitespace, control characters or NUL'],
    ['a\u0000', 'user must not contain whitespace, control characters or NUL'],
    ['a\u00a0b', 'user must not contain whitespace, control characters or NUL'],
    ['\u0001', 'user must not contain whitespace, control characters or NUL'],
  ])('refuses the token %j', (value, message) => {
    expect(check(sshToken('user'), value)).toBe(`UNSAFE_ARGUMENT: Invalid f: f: ${message}`);
  });

  it.each(['u@h', 'h/x', '/h', 'ssh:h', 'SSH://h', 'Ssh:x'])('refuses the host %j', (host) => {
    expect(check(hostField, host)).toBe('UNSAFE_ARGUMENT: Invalid f: f: host must be a hostname, IP address or ssh config alias (no "@", "/" or ssh:// URI)');
  });
});

describe('jumpHostField', () => {
  it.each(['h', 'u@h', 'h:2', 'h:22222', 'u@h:22', '[::1]', '[fe80::1%eth0]:22', '[2001:DB8::A]', 'a@b@h', 'h_1.x-y', 'u-1@h'])('accepts %j', (hop) => {
    expect(check(jumpHostField, hop)).toBe('ok');
  });

  it.each(['h:222222', 'h:', 'h:x', '[::1', '::1', 'a,b', 'a,b@h', 'a/b@h', 'u@-h', 'u@h/x', 'u@', 'h::22', 'h!x', '[::1]x'])('refuses %j', (hop) => {
    expect(check(jumpHostField, hop)).toBe('UNSAFE_ARGUMENT: Invalid f: f: jumpHosts entries must be [user@]host[:port] with no "," or "/" and no leading "-"');
  });
});

describe('emptyMeansUnset and withoutUnsetKeys', () => {
  it("'' and undefined mean not set, anything else is validated", () => {
    const schema = emptyMeansUnset(sshToken('user'));
    expect(parseWith(schema, '', 'f')).toBeUndefined();
    expect(parseWith(schema, undefined, 'f')).toBeUndefined();
    expect(parseWith(schema, 'u', 'f')).toBe('u');
    expect(check(schema, '-u')).toMatch(/^UNSAFE_ARGUMENT/);
    expect(check(schema, ' ')).toMatch(/^UNSAFE_ARGUMENT/);
  });

  it('deletes only undefined keys, in place', () => {
    const value = { a: undefined, b: null, c: '', d: 0, e: false };
    expect(withoutUnsetKeys(value)).toBe(value);
    expect(Object.keys(value)).toEqual(['b', 'c', 'd', 'e']);
  });
});

describe('SshRemoteConfigSchema defaults and enums', () => {
  it('fills name, port, useSshConfig and enabled, and nothing else', () => {
    const remote = parseSshRemoteConfig({ id: 'r', host: 'h' });
    expect(remote).toEqual({ id: 'r', name: '', host: 'h', port: 22, useSshConfig: false, enabled: true });
    expect(Object.keys(remote)).toEqual(['id', 'name', 'host', 'port', 'useSshConfig', 'enabled']);
  });

  it.each([
    [{ id: '' }, 'INVALID_CONFIG', 'id', 'id must not be empty'],
    [{ hostKeyPolicy: 'off' }, 'INVALID_CONFIG', 'hostKeyPolicy', ''],
    [{ remotePlatform: 'mac' }, 'INVALID_CONFIG', 'remotePlatform', ''],
    [{ port: 65_536 }, 'INVALID_CONFIG', 'port', ''],
    [{ port: 0 }, 'INVALID_CONFIG', 'port', ''],
    [{ useSshConfig: 'yes' }, 'INVALID_CONFIG', 'useSshConfig', ''],
    [{ enabled: 1 }, 'INVALID_CONFIG', 'enabled', ''],
    [{ passphrase: 5 }, 'INVALID_CONFIG', 'passphrase', ''],
    [{ jumpHosts: 'bastion' }, 'INVALID_CONFIG', 'jumpHosts', ''],
    [{ knownHostsFile: '-kh' }, 'UNSAFE_ARGUMENT', 'knownHostsFile', 'knownHostsFile must not start with "-"'],
    [{ name: 3 }, 'INVALID_CONFIG', 'name', ''],
  ])('%j is %s on %s', (extra, code, field, message) => {
    const error = refusal(() => parseSshRemoteConfig({ id: 'r', host: 'h', ...extra }));
    expect(error.code).toBe(code);
    expect(error.field).toBe(field);
    expect(error.message).toContain(message);
  });

  it('accepts the bounds and the enum values', () => {
    expect(parseSshRemoteConfig({ id: 'r', host: 'h', port: 1 }).port).toBe(1);
    expect(parseSshRemoteConfig({ id: 'r', host: 'h', port: 65_535 }).port).toBe(65_535);
    expect(parseSshRemoteConfig({ id: 'r', host: 'h', hostKeyPolicy: 'strict', remotePlatform: 'windows' })).toMatchObject({ hostKeyPolicy: 'strict', remotePlatform: 'windows' });
    expect(parseSshRemoteConfig({ id: 'r', host: 'h', hostKeyPolicy: 'accept-new', remotePlatform: 'posix' })).toMatchObject({ hostKeyPolicy: 'accept-new', remotePlatform: 'posix' });
  });

  it('keeps the passphrase readable but out of keys, spreads and JSON; freezes the remote', () => {
    const remote = parseSshRemoteConfig({ id: 'r', host: 'h', passphrase: 'pw-9' });
    expect(remote.passphrase).toBe('pw-9');
    expect(Object.keys(remote)).not.toContain('passphrase');
    expect(JSON.stringify(remote)).not.toContain('pw-9');
    expect(Object.isFrozen(remote)).toBe(true);
    expect(Object.getOwnPropertyDescriptor(parseSshRemoteConfig({ id: 'r', host: 'h' }), 'passphrase')).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(parseSshRemoteConfig({ id: 'r', host: 'h', passphrase: '' }), 'passphrase')).toBeUndefined();
  });

  it('recognises only its own results as produced', () => {
    const remote = parseSshRemoteConfig({ id: 'r', host: 'h' });
    expect(isProducedRemote(remote)).toBe(true);
    expect(parseSshRemoteConfig(remote)).toBe(remote);
    expect(isProducedRemote({ ...remote })).toBe(false);
    expect(isProducedRemote(null)).toBe(false);
    expect(isProducedRemote(undefined)).toBe(false);
    expect(isProducedRemote('r')).toBe(false);
  });
});

describe('AgentSshRemoteConfigSchema', () => {
  it('needs a boolean enabled and a string or null remoteId', () => {
    expect(parseAgentSshRemoteConfig({ enabled: false, remoteId: null })).toEqual({ enabled: false, remoteId: null });
    expect(refusal(() => parseAgentSshRemoteConfig({ enabled: 'true', remoteId: 'r' })).field).toBe('enabled');
    expect(refusal(() => parseAgentSshRemoteConfig({ enabled: true })).field).toBe('remoteId');
    expect(refusal(() => parseAgentSshRemoteConfig({ enabled: true, remoteId: 'r', workingDirOverride: '/a\u0000' }))).toMatchObject({ code: 'UNSAFE_ARGUMENT', field: 'workingDirOverride' });
    expect(Object.keys(parseAgentSshRemoteConfig({ enabled: true, remoteId: 'r', workingDirOverride: undefined }))).toEqual(['enabled', 'remoteId']);
    expect(parseAgentSshRemoteConfig({ enabled: true, remoteId: 'r', workingDirOverride: '~/x' }).workingDirOverride).toBe('~/x');
  });
});

describe('SshSpawnWrapConfigSchema', () => {
  it('defaults args to [] and freezes the result, its args and env', () => {
    const parsed = parseSshSpawnWrapConfig({ command: 'c', cwd: '/', customEnvVars: { A: '1' } });
    expect(parsed.args).toEqual([]);
    expect(Object.isFrozen(parsed)).toBe(true);
    expect(Object.isFrozen(parsed.args)).toBe(true);
    expect(Object.isFrozen(parsed.customEnvVars)).toBe(true);
    expect(parseSshSpawnWrapConfig(parsed)).toBe(parsed);
    expect(parseSshSpawnWrapConfig({ ...parsed })).not.toBe(parsed);
  });

  it.each([
    [{ command: '' }, 'INVALID_CONFIG', 'command', 'command must not be empty'],
    [{ command: 'a\u0000' }, 'UNSAFE_ARGUMENT', 'command', 'command must not contain a NUL byte'],
    [{ cwd: undefined }, 'INVALID_CONFIG', 'cwd', ''],
    [{ prompt: 'p\u0000' }, 'UNSAFE_ARGUMENT', 'prompt', 'prompt must not contain a NUL byte'],
    [{ promptArgs: ['-p'] }, 'INVALID_CONFIG', 'promptArgs', 'promptArgs must be a function'],
    [{ noPromptSeparator: 'yes' }, 'INVALID_CONFIG', 'noPromptSeparator', ''],
    [{ agentBinaryName: '' }, 'INVALID_CONFIG', 'agentBinaryName', ''],
    [{ agentBinaryName: 'a\u0000' }, 'UNSAFE_ARGUMENT', 'agentBinaryName', 'agentBinaryName must not contain a NUL byte'],
    [{ args: ['a', 'b\u0000'] }, 'UNSAFE_ARGUMENT', 'args[1]', 'args[] must not contain a NUL byte'],
    [{ customEnvVars: { A: '\u0000' } }, 'UNSAFE_ARGUMENT', 'customEnvVars.A', 'customEnvVars value must not contain a NUL byte'],
  ])('%j is %s on %s', (extra, code, field, message) => {
    const error = refusal(() => parseSshSpawnWrapConfig({ command: 'c', cwd: '/', ...extra }));
    expect(error.code).toBe(code);
    expect(error.field).toBe(field);
    expect(error.message).toContain(message);
  });

  it('accepts a promptArgs function and a noPromptSeparator boolean', () => {
    const promptArgs = (p: string) => ['-p', p];
    expect(parseSshSpawnWrapConfig({ command: 'c', cwd: '/', promptArgs, noPromptSeparator: true })).toMatchObject({ promptArgs, noPromptSeparator: true });
  });
});

describe('a bad record key reports the rule it broke', () => {
  it('env maps and option maps name the key and the rule', () => {
    const env = refusal(() => parseSshRemoteConfig({ id: 'r', host: 'h', remoteEnv: { '1BAD': 'x' } }));
    expect(env.field).toBe('remoteEnv.1BAD');
    expect(env.message).toBe('Invalid SSH remote config: remoteEnv.1BAD: remoteEnv: variable names must match [A-Za-z_][A-Za-z0-9_]*');
    const options = refusal(() => parseSshRemoteConfig({ id: 'r', host: 'h', customOptions: { 'Bad Name': 'x' } }));
    expect(options.message).toBe('Invalid SSH remote config: customOptions.Bad Name: customOptions: option names must match [A-Za-z][A-Za-z0-9]*');
  });
});
