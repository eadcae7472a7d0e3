import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSshRemoteConfig, type SshRemoteConfig } from '../../src/schemas/index.js';
import { buildSshArgs, DEFAULT_SSH_OPTIONS, mergeSshOptions, SSHWRAP_SSH_OPTIONS, sshDestination, sshOptionValue } from '../../src/wrap/index.js';

const remote = (extra: object = {}) =>
  parseSshRemoteConfig({ id: 'r', name: 'R', host: 'gpu-server', username: 'dev', port: 22, useSshConfig: false, ...extra });

function optionPairs(args: string[]): string[] {
  const pairs: string[] = [];
  for (let i = 0; i < args.length; i++) if (args[i] === '-o') pairs.push(args[++i]!);
  return pairs;
}

describe('DEFAULT_SSH_OPTIONS', () => {
  it('is the reference object, frozen, in order', () => {
    expect(Object.entries(DEFAULT_SSH_OPTIONS)).toEqual([
      ['BatchMode', 'yes'],
      ['StrictHostKeyChecking', 'accept-new'],
      ['ConnectTimeout', '10'],
      ['ClearAllForwardings', 'yes'],
      ['RequestTTY', 'no'],
    ]);
    expect(Object.isFrozen(DEFAULT_SSH_OPTIONS)).toBe(true);
    expect(Object.isFrozen(SSHWRAP_SSH_OPTIONS)).toBe(true);
  });
});

describe('buildSshArgs', () => {
  it('builds the reference command shape', () => {
    const args = buildSshArgs(remote({ privateKeyPath: '~/.ssh/id_ed25519' }), 'echo hi');
    expect(args).toEqual([
      '-F', 'none',
      '-o', 'BatchMode=yes',
      '-o', 'StrictHostKeyChecking=accept-new',
      '-o', 'ConnectTimeout=10',
      '-o', 'ClearAllForwardings=yes',
      '-o', 'RequestTTY=no',
      '-o', 'LogLevel=ERROR',
      '-o', 'ForwardAgent=no',
      '-o', 'ForwardX11=no',
      '-o', 'ServerAliveInterval=15',
      '-o', 'ServerAliveCountMax=3',
      '-o', 'IdentitiesOnly=yes',
      '-p', '22',
      '-i', '~/.ssh/id_ed25519',
      '--', 'dev@gpu-server',
      'echo hi',
    ]);
  });

  it('lets customOptions override a default in place, compared case-insensitively, never emitting both', () => {
    const args = buildSshArgs(remote({ customOptions: { connecttimeout: '30', Compression: 'yes' } }), 'x');
    const pairs = optionPairs(args);
    expect(pairs).toContain('connecttimeout=30');
    expect(pairs.filter((p) => /^connecttimeout=/i.test(p))).toHaveLength(1);
    expect(pairs.at(-1)).toBe('Compression=yes');
  });

  it('leaves to ~/.ssh/config what the remote does not set when useSshConfig is true', () => {
    const args = buildSshArgs(parseSshRemoteConfig({ id: 'r', host: 'gpu-server', useSshConfig: true }), 'x');
    expect(args).not.toContain('-F');
    expect(args).not.toContain('-p');
    expect(args).not.toContain('-i');
    expect(args.slice(-3)).toEqual(['--', 'gpu-server', 'x']);
    const withPort = buildSshArgs(parseSshRemoteConfig({ id: 'r', host: 'h', port: 2222, useSshConfig: true }), 'x');
    expect(withPort.join(' ')).toContain('-p 2222');
    expect(buildSshArgs(parseSshRemoteConfig({ id: 'r', host: 'h', useSshConfig: true }), 'x', { configFile: '/tmp/cfg' }).slice(0, 2)).toEqual(['-F', '/tmp/cfg']);
  });

  it('never puts the passphrase on the command line', () => {
    const args = buildSshArgs(remote({ passphrase: 'hunter2-secret', privateKeyPath: '/k' }), 'x');
    expect(args.join('\n')).not.toContain('hunter2-secret');
  });

  it('refuses command-executing customOptions unless allowed', () => {
    expect(() => buildSshArgs(remote({ customOptions: { ProxyCommand: 'nc %h %p' } }), 'x')).toThrow(/ProxyCommand/);
    expect(() => buildSshArgs(remote({ customOptions: { localcommand: 'x', PermitLocalCommand: 'yes' } }), 'x')).toThrow(/allowUnsafeOptions/);
    const args = buildSshArgs(remote({ customOptions: { ProxyCommand: 'nc %h %p' } }), 'x', { allowUnsafeOptions: ['proxycommand'] });
    expect(optionPairs(args)).toContain('ProxyCommand=nc %h %p');
  });

  it('places managed options between sshwrap defaults and customOptions', () => {
    const args = buildSshArgs(remote({ customOptions: { ControlPersist: '5' } }), 'x', { managedOptions: { ControlMaster: 'auto', ControlPersist: '60' } });
    const pairs = optionPairs(args);
    expect(pairs).toContain('ControlMaster=auto');
    expect(pairs).toContain('ControlPersist=5');
    expect(pairs).not.toContain('ControlPersist=60');
  });

  it('property: the destination always follows "--", each option name appears once, command is last', () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,12}$/);
    fc.assert(
      fc.property(fc.dictionary(name, fc.stringMatching(/^[^\n\r\u0000]*$/)), fc.string(), (customOptions, command) => {
        const lowerNames = Object.keys(customOptions).map((n) => n.toLowerCase());
        fc.pre(new Set(lowerNames).size === lowerNames.length);
        fc.pre(!['proxycommand', 'localcommand', 'permitlocalcommand', 'knownhostscommand', 'remotecommand', 'match', 'include'].some((n) => lowerNames.includes(n)));
        const args = buildSshArgs(remote({ customOptions }), command);
        const dashDash = args.indexOf('--');
        expect(args[dashDash + 1]).toBe('dev@gpu-server');
        expect(args.at(-1)).toBe(command);
        expect(args.length).toBe(dashDash + 3);
        const names = optionPairs(args).map((p) => p.slice(0, p.indexOf('=')).toLowerCase());
        expect(new Set(names).size).toBe(names.length);
        for (const [key, value] of Object.entries(customOptions)) expect(optionPairs(args)).toContain(`${key}=${value}`);
      }),
      { numRuns: 300 },
    );
  });
});

describe('mergeSshOptions', () => {
  it('keeps first position, last value', () => {
    expect(mergeSshOptions([{ A: '1', B: '2' }, undefined, { b: '3' }])).toEqual([['A', '1'], ['b', '3']]);
  });
});

describe('sshOptionValue', () => {
  it('quotes values ssh would split', () => {
    expect(sshOptionValue('/tmp/plain')).toBe('/tmp/plain');
    expect(sshOptionValue('/tmp/a b')).toBe('"/tmp/a b"');
    expect(sshOptionValue('a"b\\c')).toBe('"a\\"b\\\\c"');
  });
});

describe('host keys, jump hosts and injection guards', () => {
  it('maps hostKeyPolicy strict and knownHostsFile to ssh options', () => {
    const pairs = optionPairs(buildSshArgs(remote({ hostKeyPolicy: 'strict', knownHostsFile: '/etc/my hosts' }), 'x'));
    expect(pairs).toContain('StrictHostKeyChecking=yes');
    expect(pairs).not.toContain('StrictHostKeyChecking=accept-new');
    expect(pairs).toContain('UserKnownHostsFile="/etc/my hosts"');
  });

  it('refuses turning host-key checking off through customOptions', () => {
    expect(() => buildSshArgs(remote({ customOptions: { StrictHostKeyChecking: 'no' } }), 'x')).toThrow(/host-key checking off/);
    expect(() => buildSshArgs(remote({ customOptions: { stricthostkeychecking: 'OFF' } }), 'x')).toThrow(/allowUnsafeOptions/);
  });

  it('passes validated jump hosts as one ProxyCommand before the destination, never -J', () => {
    const args = buildSshArgs(remote({ jumpHosts: ['bastion', 'ops@[::1]:2222'] }), 'x');
    expect(args).not.toContain('-J');
    const proxy = optionPairs(args).filter((pair) => pair.startsWith('ProxyCommand='));
    expect(proxy).toHaveLength(1);
    expect(args.indexOf(`ProxyCommand=${proxy[0]!.slice('ProxyCommand='.length)}`)).toBeLessThan(args.indexOf('--'));
  });

  it.each(['-oProxyCommand=x', 'a,b', 'u@-host', '-u@host', 'host:port', 'a b', 'a/b'])('refuses jump host %j', (hop) => {
    expect(() => remote({ jumpHosts: [hop] })).toThrow(expect.objectContaining({ code: 'UNSAFE_ARGUMENT', field: 'jumpHosts[0]' }));
  });
});

describe('hostKeyPolicy precedence', () => {
  it("strict wins over a customOptions StrictHostKeyChecking", () => {
    const pairs = optionPairs(buildSshArgs(remote({ hostKeyPolicy: 'strict', customOptions: { StrictHostKeyChecking: 'accept-new' } }), 'x'));
    expect(pairs.filter((p) => /^stricthostkeychecking=/i.test(p))).toEqual(['StrictHostKeyChecking=yes']);
  });
});

describe('buildSshArgs validates what it is given', () => {
  const plain = { id: 'r', name: 'R', host: 'gpu-server', username: 'dev', port: 22, useSshConfig: false, enabled: true } as SshRemoteConfig;

  it.each([
    [{ host: '-oProxyCommand=x' }, 'UNSAFE_ARGUMENT', 'host'],
    [{ username: '-l' }, 'UNSAFE_ARGUMENT', 'username'],
    [{ privateKeyPath: '-oProxyCommand=x' }, 'UNSAFE_ARGUMENT', 'privateKeyPath'],
    [{ knownHostsFile: '-x' }, 'UNSAFE_ARGUMENT', 'knownHostsFile'],
    [{ customOptions: { ServerAliveInterval: '1\nProxyCommand x' } }, 'UNSAFE_ARGUMENT', 'customOptions.ServerAliveInterval'],
    [{ jumpHosts: ['a,-oProxyCommand=x'] }, 'UNSAFE_ARGUMENT', 'jumpHosts[0]'],
    [{ port: 0 }, 'INVALID_CONFIG', 'port'],
  ])('a remote that never went through the schema: %j', (hostile, code, field) => {
    expect(() => buildSshArgs({ ...plain, ...hostile } as SshRemoteConfig, 'x')).toThrow(expect.objectContaining({ code, field }));
  });

  it('accepts an unparsed but valid remote, treating "" as not set', () => {
    const args = buildSshArgs({ ...plain, username: '', privateKeyPath: '' } as SshRemoteConfig, 'x');
    expect(args.slice(-3)).toEqual(['--', 'gpu-server', 'x']);
    expect(args).not.toContain('-i');
  });

  it.each([
    [{ managedOptions: { 'Control Path': 'x' } }, 'INVALID_CONFIG', 'managedOptions.Control Path'],
    [{ managedOptions: { ControlPath: '/s\nProxyCommand x' } }, 'UNSAFE_ARGUMENT', 'managedOptions.ControlPath'],
    [{ configFile: '-oProxyCommand=x' }, 'UNSAFE_ARGUMENT', 'configFile'],
  ])('refuses options %j', (options, code, field) => {
    const remote = parseSshRemoteConfig({ id: 'r', host: 'h', useSshConfig: true });
    expect(() => buildSshArgs(remote, 'x', options)).toThrow(expect.objectContaining({ code, field }));
  });

  it('refuses a remote command holding NUL (no argv can carry it)', () => {
    expect(() => buildSshArgs(remote(), 'echo \u0000')).toThrow(expect.objectContaining({ code: 'UNSAFE_ARGUMENT', field: 'remoteCommand' }));
  });

  it('treats configFile "" as not set', () => {
    expect(buildSshArgs(parseSshRemoteConfig({ id: 'r', host: 'h', useSshConfig: true }), 'x', { configFile: '' })).not.toContain('-F');
  });
});

describe('sshDestination', () => {
  it('is the bare host when the username is absent or empty, and checks both', () => {
    expect(sshDestination({ host: 'h', username: 'me@corp' })).toBe('me@corp@h');
    expect(sshDestination({ host: 'h', username: '' })).toBe('h');
    expect(sshDestination({ host: 'h' })).toBe('h');
    expect(() => sshDestination({ host: '-oProxyCommand=x' })).toThrow(expect.objectContaining({ code: 'UNSAFE_ARGUMENT', field: 'host' }));
    expect(() => sshDestination({ host: 'h', username: 'a b' })).toThrow(expect.objectContaining({ code: 'UNSAFE_ARGUMENT', field: 'username' }));
  });
});
