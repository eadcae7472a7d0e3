import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseSshRemoteConfig, parseSshSpawnWrapConfig, type SshSpawnWrapConfig } from '../../src/schemas/index.js';
import { wrapForRemote, type RemoteWrapOptions, type SshSpawnWrapResult } from '../../src/wrap/index.js';
import { refusal } from '../helpers/refusal.js';

const posix = parseSshRemoteConfig({ id: 'p', host: 'gpu', username: 'dev' });
const windows = parseSshRemoteConfig({ id: 'w', host: 'win', remotePlatform: 'windows' });
const base: RemoteWrapOptions = { sshPath: 'ssh', localCwd: '/home/me', remotePath: 'inherit' };

function wrap(config: SshSpawnWrapConfig, options: Partial<RemoteWrapOptions> = {}, remote = posix, workingDir?: string): SshSpawnWrapResult {
  return wrapForRemote(parseSshSpawnWrapConfig(config), remote, workingDir, { ...base, ...options });
}


/** Runs the remote command as a POSIX login shell would, here, with the wrap's stdin. */
function runRemotely(result: SshSpawnWrapResult, stdin = result.stdin ?? '') {
  return spawnSync('sh', ['-c', result.args.at(-1)!], { input: stdin, encoding: 'utf8', cwd: '/' });
}

const decodePowerShell = (command: string) => Buffer.from(command.split(' ').at(-1)!, 'base64').toString('utf16le');

describe('wrapForRemote: required local facts', () => {
  it.each(['sshPath', 'localCwd'] as const)('refuses a missing or empty %s, naming it', (field) => {
    for (const value of [undefined, '', 42]) {
      const error = refusal(() => wrapForRemote(parseSshSpawnWrapConfig({ command: 'x', cwd: '/' }), posix, undefined, { ...base, [field]: value } as never));
      expect(error.code).toBe('INVALID_CONFIG');
      expect(error.field).toBe(field);
      expect(error.message).toBe(`${field} is required (the pure core reads nothing from the local machine)`);
    }
  });

  it('refuses an sshPath ssh would not run as a program', () => {
    const error = refusal(() => wrap({ command: 'x', cwd: '/' }, { sshPath: '-oProxyCommand=x' }));
    expect(error.code).toBe('UNSAFE_ARGUMENT');
    expect(error.field).toBe('sshPath');
  });

  it('returns the ssh spawn: sshPath, localCwd, no env, no prompt, the remote without passphrase', () => {
    const remote = parseSshRemoteConfig({ id: 'p', host: 'gpu', passphrase: 'pw-1234' });
    const result = wrap({ command: 'echo', args: ['hi'], cwd: '/' }, { sshPath: '/usr/bin/ssh', localCwd: '/l' }, remote);
    expect(result.command).toBe('/usr/bin/ssh');
    expect(result.cwd).toBe('/l');
    expect(result.customEnvVars).toBeUndefined();
    expect(result.prompt).toBeUndefined();
    expect(result.sshRemoteUsed).toEqual({ id: 'p', name: '', host: 'gpu', port: 22, useSshConfig: false, enabled: true });
    expect(Object.getOwnPropertyDescriptor(result.sshRemoteUsed, 'passphrase')).toBeUndefined();
    expect('stdin' in result).toBe(false);
  });
});

describe('wrapForRemote: numeric limits', () => {
  it.each([
    ['promptStdinThreshold', -1, Number.MAX_SAFE_INTEGER],
    ['promptStdinThreshold', 1.5, Number.MAX_SAFE_INTEGER],
    ['promptStdinThreshold', Number.NaN, Number.MAX_SAFE_INTEGER],
    ['maxCommandBytes', -1, 131_071],
    ['maxCommandBytes', 2.5, 131_071],
    ['maxCommandBytes', 131_072, 131_071],
  ] as const)('refuses %s = %d', (field, value, max) => {
    const error = refusal(() => wrap({ command: 'x', cwd: '/' }, { [field]: value }));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.field).toBe(field);
    expect(error.message).toBe(`${field} must be an integer between 0 and ${max}`);
  });

  it('accepts the bounds themselves: 0 and the kernel argument limit', () => {
    expect(wrap({ command: 'x', cwd: '/', prompt: 'p' }, { maxCommandBytes: 131_071, promptStdinThreshold: 0 }).stdin).toBe('p');
    expect(wrap({ command: 'x', cwd: '/', prompt: '' }, { promptStdinThreshold: 0 }).stdin).toBeUndefined();
  });

  it('the threshold is inclusive and counted in UTF-8 bytes', () => {
    expect(wrap({ command: 'x', cwd: '/', prompt: 'abcde' }, { promptStdinThreshold: 5 }).stdin).toBeUndefined();
    expect(wrap({ command: 'x', cwd: '/', prompt: 'abcdef' }, { promptStdinThreshold: 5 }).stdin).toBe('abcdef');
    expect(wrap({ command: 'x', cwd: '/', prompt: 'abcdé' }, { promptStdinThreshold: 5 }).stdin).toBe('abcdé');
    expect(wrap({ command: 'x', cwd: '/', prompt: 'x'.repeat(4000) }).stdin).toBeUndefined();
    expect(wrap({ command: 'x', cwd: '/', prompt: 'x'.repeat(4001) }).stdin).toBe('x'.repeat(4001));
  });

  it('maxCommandBytes is inclusive: a command of exactly that many bytes is sent as is', () => {
    const config = { command: 'echo', args: ['a'.repeat(500)], cwd: '/', prompt: 'pp' };
    const length = wrap(config, { maxCommandBytes: 131_071 }).args.at(-1)!.length;
    const exact = wrap(config, { maxCommandBytes: length });
    expect(exact.stdin).toBeUndefined();
    expect(exact.args.at(-1)!.length).toBe(length);
    // One byte less: the prompt moves to stdin, and what remains fits.
    const smaller = wrap(config, { maxCommandBytes: length - 1 });
    expect(smaller.stdin).toBe('pp');
    expect(smaller.args.at(-1)!.length).toBeLessThan(length);
  });

  it('COMMAND_TOO_LONG names the size, the limit and what to do, and never drops a prompt', () => {
    const config = { command: 'echo', args: ['a'.repeat(500)], cwd: '/' };
    const length = wrap(config, { maxCommandBytes: 131_071 }).args.at(-1)!.length;
    const error = refusal(() => wrap(config, { maxCommandBytes: length - 1 }));
    expect(error.code).toBe('COMMAND_TOO_LONG');
    expect(error.field).toBe('args');
    expect(error.message).toBe(`The remote command is ${length} bytes, above maxCommandBytes (${length - 1}) even without the prompt`);
    expect(error.hint).toBe('Pass large inputs through the prompt (delivered on stdin) or a file on the remote, not as arguments.');
    expect(refusal(() => wrap({ ...config, prompt: 'x'.repeat(5000) }, { maxCommandBytes: 100 })).code).toBe('COMMAND_TOO_LONG');
  });

  it("counts a 'posix' command in UTF-8 bytes, not UTF-16 units", () => {
    const config = { command: 'echo', args: ['ü'.repeat(400)], cwd: '/' };
    const posixOptions = { shell: 'posix' as const, maxCommandBytes: 131_071 };
    const command = wrap(config, posixOptions).args.at(-1)!;
    const bytes = Buffer.byteLength(command);
    expect(bytes).toBeGreaterThan(command.length);
    expect(wrap(config, { ...posixOptions, maxCommandBytes: bytes }).args.at(-1)).toBe(command);
    const error = refusal(() => wrap(config, { ...posixOptions, maxCommandBytes: bytes - 1 }));
    expect(error.message).toContain(`is ${bytes} bytes`);
  });

  it('Windows remotes default to the cmd.exe line limit (8000), POSIX remotes to 100000, both overridable', () => {
    const config = { command: 'x', args: ['a'.repeat(2100)], cwd: '/' };
    // 2100 characters become about 8.5 KB of base64 UTF-16.
    expect(refusal(() => wrap(config, {}, windows)).message).toContain('above maxCommandBytes (8000)');
    expect(wrap(config, { maxCommandBytes: 20_000 }, windows).args.at(-1)).toMatch(/^powershell /);
    const posixLimit = { command: 'x', args: ['a'.repeat(99_990)], cwd: '/' };
    expect(refusal(() => wrap(posixLimit, { shell: 'posix' })).message).toContain('above maxCommandBytes (100000)');
    expect(wrap({ command: 'x', args: ['a'.repeat(99_900)], cwd: '/' }, { shell: 'posix' }).args.at(-1)).toContain('a'.repeat(99_900));
  });
});

describe('wrapForRemote: command, cwd and stdin', () => {
  it('refuses a remote binary starting with "-" (agentBinaryName too)', () => {
    for (const config of [{ command: '-x', cwd: '/' }, { command: 'ok', agentBinaryName: '-x', cwd: '/' }]) {
      const error = refusal(() => wrap(config));
      expect(error.code).toBe('UNSAFE_ARGUMENT');
      expect(error.field).toBe('command');
      expect(error.message).toBe('command must not start with "-" (the remote shell would read it as an option)');
    }
  });

  it('runs agentBinaryName instead of command, in workingDirOverride instead of cwd', () => {
    const result = wrap({ command: '/local/bin/printf', agentBinaryName: 'printf', args: ['%s'], cwd: '/nonexistent', prompt: 'p' }, { shell: 'posix' }, posix, '/');
    expect(result.remoteCommand).toBe("cd / && printf %s -- p");
    // printf reuses its one-word format for each argument: `--` then `p`.
    expect(runRemotely(result).stdout).toBe('--p');
  });

  it('without a prompt, adds no prompt words', () => {
    expect(wrap({ command: 'printf', args: ['%s|'], cwd: '/' }).remoteCommand).toBe("cd / && printf '%s|'");
  });

  it('gives the command /dev/null unless the prompt is on stdin or keepStdin is set', () => {
    const cat = { command: 'cat', cwd: '/', prompt: 'hi' };
    // `cat -- hi` would fail to open "hi": use sh, which takes the prompt as $0 / $1.
    const sh = { command: 'sh', args: ['-c', 'cat'], cwd: '/', prompt: 'hi' };
    expect(runRemotely(wrap(sh), 'data').stdout).toBe('');
    expect(runRemotely(wrap(sh, { keepStdin: true }), 'data').stdout).toBe('data');
    const onStdin = wrap(cat, { promptStdinThreshold: 1 });
    expect(onStdin.stdin).toBe('hi');
    expect(runRemotely(onStdin).stdout).toBe('hi');
  });

  it('a stdin prompt alone is a plain, enumerable stdin; with env values it is hidden from spreads', () => {
    const promptOnly = wrap({ command: 'cat', cwd: '/', prompt: 'hello' }, { promptStdinThreshold: 1 });
    expect(Object.keys(promptOnly)).toContain('stdin');
    expect(JSON.parse(JSON.stringify(promptOnly)).stdin).toBe('hello');
    const withEnv = wrap({ command: 'cat', cwd: '/', prompt: 'hello', customEnvVars: { API_KEY: 'k-12345' } }, { promptStdinThreshold: 1 });
    expect(Object.keys(withEnv)).not.toContain('stdin');
    expect(withEnv.stdin!.endsWith('hello')).toBe(true);
    expect(runRemotely(withEnv).stdout).toBe('hello');
    const envOnly = wrap({ command: 'sh', args: ['-c', 'printf %s "$API_KEY"'], cwd: '/', customEnvVars: { API_KEY: 'k-12345' } });
    expect(envOnly.stdin).toBe('k-12345\n');
    expect(Object.keys(envOnly)).not.toContain('stdin');
    expect(runRemotely(envOnly).stdout).toBe('k-12345');
  });

  it('remoteCommand is the same string on every read, redacting exactly what travels on stdin', () => {
    const result = wrap({ command: 'env', cwd: '/', customEnvVars: { API_KEY: 'k-12345', MODE: 'm' } }, { secretEnv: { EXTRA: 'e-1' } });
    const shown = result.remoteCommand;
    expect(shown).toBe("cd / && export MODE=m API_KEY='<redacted>' EXTRA='<redacted>' && env");
    expect(result.remoteCommand).toBe(shown);
  });
});

describe('wrapForRemote: where env values travel', () => {
  it('refuses an unknown envOnStdin mode', () => {
    const error = refusal(() => wrap({ command: 'x', cwd: '/' }, { envOnStdin: 'some' as never }));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.field).toBe('envOnStdin');
    expect(error.message).toBe("envOnStdin must be one of 'secrets', 'all', 'none'");
  });

  it("the default is 'secrets'", () => {
    const result = wrap({ command: 'x', cwd: '/', customEnvVars: { API_KEY: 'k-12345', MODE: 'm' } }, { shell: 'posix' });
    expect(result.args.at(-1)).toContain('MODE=m');
    expect(result.args.at(-1)).not.toContain('k-12345');
    expect(result.stdin).toBe('k-12345\n');
  });

  it('secretEnv is checked like an env map, the error naming the option and the key', () => {
    const error = refusal(() => wrap({ command: 'x', cwd: '/' }, { secretEnv: { 'A-B': '1' } }));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.field).toBe('secretEnv.A-B');
    const nul = refusal(() => wrap({ command: 'x', cwd: '/' }, { secretEnv: { A: 'v\u0000' } }));
    expect(nul.code).toBe('UNSAFE_ARGUMENT');
    expect(nul.field).toBe('secretEnv.A');
    expect(refusal(() => wrap({ command: 'x', cwd: '/' }, { secretEnv: 'A=1' as never })).field).toBe('secretEnv');
  });

  it('secretEnv replaces a customEnvVars or remoteEnv value of the same name on every path', () => {
    const remote = parseSshRemoteConfig({ id: 'p', host: 'h', remoteEnv: { SHARED: 'from-remote' } });
    const result = wrap({ command: 'sh', args: ['-c', 'printf %s "$SHARED"'], cwd: '/', customEnvVars: { SHARED: 'from-spawn' } }, { envOnStdin: 'none', shell: 'posix', secretEnv: { SHARED: 'from-secret' } }, remote);
    expect(result.args.at(-1)).not.toContain('from-');
    expect(runRemotely(result).stdout).toBe('from-secret');
  });

  it('Windows remotes refuse env on stdin, naming the option that put it there', () => {
    const byMode = refusal(() => wrap({ command: 'x', cwd: '/', customEnvVars: { API_KEY: 'k', B: 'b' } }, { envOnStdin: 'all' }, windows));
    expect(byMode.code).toBe('INVALID_CONFIG');
    expect(byMode.field).toBe('envOnStdin');
    expect(byMode.message).toBe('Env values on stdin (API_KEY, B) are not supported for Windows remotes');
    expect(byMode.hint).toBe(
      "Set the variables in the remote user's environment on the Windows host, or pass envOnStdin: 'none' to put them on the command line (visible to other users in the process list).",
    );
    const bySecret = refusal(() => wrap({ command: 'x', cwd: '/', customEnvVars: { API_KEY: 'k' } }, { secretEnv: { S: 's' } }, windows));
    expect(bySecret.field).toBe('secretEnv');
    expect(bySecret.message).toBe('Env values on stdin (API_KEY, S) are not supported for Windows remotes');
  });

  it("Windows remotes with envOnStdin 'none' export every value in the PowerShell script", () => {
    const result = wrap({ command: 'x', cwd: '/', customEnvVars: { API_KEY: 'k', B: 'b' } }, { envOnStdin: 'none' }, windows);
    const script = decodePowerShell(result.args.at(-1)!);
    expect(script).toContain("$env:API_KEY = 'k'");
    expect(script).toContain("$env:B = 'b'");
    expect(result.stdin).toBeUndefined();
  });

  it('passes the status marker, remotePath, managed options, allowUnsafeOptions and sshConfigFile through', () => {
    const remote = parseSshRemoteConfig({ id: 'p', host: 'h', useSshConfig: true, customOptions: { ProxyCommand: 'nc %h %p' } });
    const result = wrap(
      { command: 'true', cwd: '/' },
      { statusMarker: 'MK', remotePath: ['/opt/x'], managedSshOptions: { ControlMaster: 'auto' }, allowUnsafeOptions: ['ProxyCommand'], sshConfigFile: '/etc/cfg', shell: 'posix' },
      remote,
    );
    expect(result.args.slice(0, 2)).toEqual(['-F', '/etc/cfg']);
    expect(result.args).toContain('ControlMaster=auto');
    expect(result.args).toContain('ProxyCommand=nc %h %p');
    const script = result.args.at(-1)!;
    expect(script).toContain("'MK:started'");
    expect(script).toContain('PATH=/opt/x:"$PATH"');
  });
});
