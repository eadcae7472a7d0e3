import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSshRemoteConfig } from '../../src/schemas/index.js';
import { buildSshArgs, sshOptionValue } from '../../src/wrap/index.js';
import { HOP_INHERITED_OPTIONS, jumpHostObject } from '../../src/wrap/proxy-jump.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sshwrap-pj-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
// Stands in for ssh: prints the argv it got, NUL-terminated, so a test sees exactly what ssh would.
const DUMP = path.join(dir, 'dump');
fs.writeFileSync(DUMP, "#!/bin/sh\nprintf '%s\\0' \"$@\"\n", { mode: 0o755 });

const remote = (extra: object = {}) => parseSshRemoteConfig({ id: 'r', host: 'gpu', username: 'dev', port: 2200, useSshConfig: false, ...extra });

/** The ProxyCommand buildSshArgs gave ssh, or undefined. */
function proxyCommandOf(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) if (args[i] === '-o' && args[i + 1]!.startsWith('ProxyCommand=')) return args[i + 1]!.slice('ProxyCommand='.length);
  return undefined;
}

/** ssh's percent_expand for ProxyCommand: %h, %p, %% (misc.c); any other token is fatal there, so it throws here. */
function percentExpand(text: string, host: string, port: number): string {
  return text.replace(/%(.|$)/g, (_, key: string) => {
    if (key === '%') return '%';
    if (key === 'h') return host;
    if (key === 'p') return String(port);
    throw new Error(`ssh would die: unknown token %${key} in ${text}`);
  });
}

/** What ssh does with a ProxyCommand: expand tokens, run `exec <text>` with $SHELL; returns the argv it started. */
function runProxyCommand(text: string, host: string, port: number, shell = '/bin/sh'): string[] {
  const out = execFileSync(shell, ['-c', `exec ${percentExpand(text, host, port)}`], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' }, stdio: ['ignore', 'pipe', 'pipe'] });
  return out.split('\0').slice(0, -1);
}

function valueAfter(argv: readonly string[], flag: string): string | undefined {
  const at = argv.indexOf(flag);
  return at < 0 ? undefined : argv[at + 1];
}

function optionsOf(argv: readonly string[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < argv.length; i++) if (argv[i] === '-o') found.push(argv[++i]!);
  return found;
}

describe('jumpHostObject', () => {
  it.each([
    ['bastion', { host: 'bastion' }],
    ['ops@bastion', { host: 'bastion', username: 'ops' }],
    ['ops@bastion:2222', { host: 'bastion', username: 'ops', port: 2222 }],
    ['me@corp@bastion:22', { host: 'bastion', username: 'me@corp', port: 22 }],
    ['[::1]:2222', { host: '::1', port: 2222 }],
    ['ops@[fe80::1%eth0]', { host: 'fe80::1%eth0', username: 'ops' }],
  ])('%s', (hop, expected) => {
    expect(jumpHostObject(hop)).toEqual(expected);
  });
});

describe('buildSshArgs with jumpHosts', () => {
  it('one string hop: the hop runs ssh -W with the remote key, known-hosts file, strict policy, BatchMode, ConnectTimeout', () => {
    const args = buildSshArgs(remote({ privateKeyPath: '/k', knownHostsFile: '/kh', hostKeyPolicy: 'strict', jumpHosts: ['ops@bastion:2222'] }), 'x', {
      managedOptions: { ControlMaster: 'auto', ControlPath: '/tmp/cp/%C', ControlPersist: '60' },
    });
    expect(proxyCommandOf(args)).toBe(
      'ssh -F none -o BatchMode=yes -o StrictHostKeyChecking=yes -o ConnectTimeout=10 -o ClearAllForwardings=yes ' +
        '-o LogLevel=ERROR -o ForwardAgent=no -o ForwardX11=no -o ServerAliveInterval=15 -o ServerAliveCountMax=3 ' +
        "-o IdentitiesOnly=yes -o UserKnownHostsFile=/kh -p 2222 -i /k -W '[%h]:%p' -- ops@bastion",
    );
    // The hop is a plain connection: never the pool's master or one of its clients.
    expect(proxyCommandOf(args)).not.toMatch(/Control/);
    expect(args.slice(-3)).toEqual(['--', 'dev@gpu', 'x']);
  });

  it('customOptions that describe how to connect reach the hop; per-host ones do not', () => {
    const args = buildSshArgs(remote({ customOptions: { ConnectTimeout: '3', HostKeyAlias: 'gpu-alias', Compression: 'yes', UserKnownHostsFile: '/custom kh' }, jumpHosts: ['b'] }), 'x');
    const hop = optionsOf(runProxyCommand(proxyCommandOf(args)!.replace(/^ssh /, `${DUMP} `), 'gpu', 2200));
    expect(hop).toContain('ConnectTimeout=3');
    expect(hop).toContain('UserKnownHostsFile=/custom kh');
    expect(hop.join(' ')).not.toMatch(/HostKeyAlias|Compression/);
  });

  it('an object hop uses its own key, known-hosts file, port and user', () => {
    const args = buildSshArgs(remote({ privateKeyPath: '/k', knownHostsFile: '/kh', jumpHosts: [{ host: 'gw', port: 2022, username: 'jump', privateKeyPath: '/gw-key', knownHostsFile: '/gw kh' }] }), 'x');
    const hop = runProxyCommand(proxyCommandOf(args)!.replace(/^ssh /, `${DUMP} `), 'gpu', 2200);
    expect(valueAfter(hop, '-i')).toBe('/gw-key');
    expect(valueAfter(hop, '-p')).toBe('2022');
    expect(optionsOf(hop)).toContain('UserKnownHostsFile="/gw kh"');
    expect(optionsOf(hop)).not.toContain('UserKnownHostsFile=/kh');
    expect(valueAfter(hop, '-W')).toBe('[gpu]:2200');
    expect(hop.at(-1)).toBe('jump@gw');
  });

  it('an object hop without a key takes the remote key and IdentitiesOnly; no key anywhere means neither', () => {
    const withKey = runProxyCommand(proxyCommandOf(buildSshArgs(remote({ privateKeyPath: '/k', jumpHosts: [{ host: 'gw' }] }), 'x', { sshPath: DUMP }))!, 'h', 1);
    expect(valueAfter(withKey, '-i')).toBe('/k');
    expect(optionsOf(withKey)).toContain('IdentitiesOnly=yes');
    const keyless = runProxyCommand(proxyCommandOf(buildSshArgs(remote({ jumpHosts: [{ host: 'gw' }] }), 'x', { sshPath: DUMP }))!, 'h', 1);
    expect(keyless).not.toContain('-i');
    expect(optionsOf(keyless).join(' ')).not.toMatch(/IdentitiesOnly/);
  });

  it('a chain of two: the last hop reaches the host, its own ProxyCommand reaches it through the first hop', () => {
    const args = buildSshArgs(remote({ privateKeyPath: '/k', jumpHosts: ['a@first:2201', { host: 'second', port: 2202, privateKeyPath: '/k2' }] }), 'x', { sshPath: DUMP });
    const second = runProxyCommand(proxyCommandOf(args)!, 'gpu', 2200);
    expect(second.slice(-2)).toEqual(['--', 'second']);
    expect(valueAfter(second, '-W')).toBe('[gpu]:2200');
    expect(valueAfter(second, '-i')).toBe('/k2');
    const inner = optionsOf(second).find((option) => option.startsWith('ProxyCommand='))!.slice('ProxyCommand='.length);
    // What the second hop's ssh gets is exactly the one-hop ProxyCommand for the first hop.
    expect(inner).toBe(proxyCommandOf(buildSshArgs(remote({ privateKeyPath: '/k', jumpHosts: ['a@first:2201'] }), 'x', { sshPath: DUMP })));
    const first = runProxyCommand(inner, 'second', 2202);
    expect(first.slice(-2)).toEqual(['--', 'a@first']);
    expect(valueAfter(first, '-W')).toBe('[second]:2202');
    expect(valueAfter(first, '-i')).toBe('/k');
    expect(valueAfter(first, '-p')).toBe('2201');
  });

  it('doubles % in paths (ssh_config TOKENS), keeping the %h/%p it means', () => {
    const args = buildSshArgs(remote({ privateKeyPath: '/keys/100%/k%h', jumpHosts: ['b'] }), 'x', { sshPath: DUMP });
    expect(proxyCommandOf(args)).toContain("-i '/keys/100%%/k%%h'");
    const hop = runProxyCommand(proxyCommandOf(args)!, 'gpu', 2200);
    expect(valueAfter(hop, '-i')).toBe('/keys/100%/k%h');
    expect(valueAfter(hop, '-W')).toBe('[gpu]:2200');
  });

  it('useSshConfig: true: the hop reads the same -F file, and ssh_config picks its port and user', () => {
    const withFile = buildSshArgs(remote({ useSshConfig: true, jumpHosts: ['bastion'] }), 'x', { configFile: '/etc/sshwrap/config' });
    expect(proxyCommandOf(withFile)).toMatch(/^ssh -F \/etc\/sshwrap\/config -o /);
    expect(proxyCommandOf(withFile)).toMatch(/-W '\[%h\]:%p' -- bastion$/);
    expect(proxyCommandOf(withFile)).not.toMatch(/ -p /);
    const own = buildSshArgs(remote({ useSshConfig: true, jumpHosts: ['bastion'] }), 'x');
    expect(proxyCommandOf(own)).toMatch(/^ssh -o BatchMode=yes /);
  });

  it('without jumpHosts (or with none) there is no ProxyCommand', () => {
    expect(proxyCommandOf(buildSshArgs(remote(), 'x'))).toBeUndefined();
    expect(proxyCommandOf(buildSshArgs(remote({ jumpHosts: [] }), 'x'))).toBeUndefined();
  });

  it('refuses jumpHosts on a Windows local machine and next to a ProxyCommand/ProxyJump of the caller', () => {
    expect(() => buildSshArgs(remote({ jumpHosts: ['b'] }), 'x', { localPlatform: 'win32' })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', field: 'jumpHosts' }));
    expect(() => buildSshArgs(remote({ jumpHosts: ['b'], customOptions: { ProxyCommand: 'nc %h %p' } }), 'x', { allowUnsafeOptions: ['ProxyCommand'] })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', field: 'customOptions.ProxyCommand' }),
    );
    expect(() => buildSshArgs(remote({ jumpHosts: ['b'], customOptions: { proxyjump: 'c' } }), 'x')).toThrow(expect.objectContaining({ field: 'customOptions.proxyjump' }));
    expect(buildSshArgs(remote(), 'x', { localPlatform: 'win32' })).toContain('dev@gpu');
  });

  it('HOP_INHERITED_OPTIONS has no per-host, pooling, forwarding-on or command option', () => {
    for (const name of ['HostName', 'User', 'Port', 'HostKeyAlias', 'ControlMaster', 'ControlPath', 'ControlPersist', 'ProxyCommand', 'ProxyJump', 'LocalCommand', 'RemoteCommand', 'LocalForward']) {
      expect(HOP_INHERITED_OPTIONS).not.toContain(name);
    }
  });
});

describe('object hops are validated like a remote', () => {
  it.each([
    [{ host: '-oProxyCommand=x' }, 'UNSAFE_ARGUMENT', 'jumpHosts[0].host'],
    [{ host: 'a b' }, 'UNSAFE_ARGUMENT', 'jumpHosts[0].host'],
    [{ host: 'u@h' }, 'UNSAFE_ARGUMENT', 'jumpHosts[0].host'],
    [{ host: 'h', username: '-l' }, 'UNSAFE_ARGUMENT', 'jumpHosts[0].username'],
    [{ host: 'h', username: 'a\nb' }, 'UNSAFE_ARGUMENT', 'jumpHosts[0].username'],
    [{ host: 'h', privateKeyPath: '-oProxyCommand=x' }, 'UNSAFE_ARGUMENT', 'jumpHosts[0].privateKeyPath'],
    [{ host: 'h', knownHostsFile: '/a\nProxyCommand x' }, 'UNSAFE_ARGUMENT', 'jumpHosts[0].knownHostsFile'],
    [{ host: 'h', port: 0 }, 'INVALID_CONFIG', 'jumpHosts[0].port'],
    [{ host: 'h', port: '22' }, 'INVALID_CONFIG', 'jumpHosts[0].port'],
    [{ host: 'h', identityFile: '/k' }, 'INVALID_CONFIG', 'jumpHosts[0].identityFile'],
    [{ port: 22 }, 'INVALID_CONFIG', 'jumpHosts[0].host'],
  ])('%j', (hop, code, field) => {
    expect(() => remote({ jumpHosts: [hop] })).toThrow(expect.objectContaining({ code, field }));
    // buildSshArgs checks a hand-built remote the same way before it builds anything.
    expect(() => buildSshArgs({ ...remote(), jumpHosts: [hop] } as never, 'x')).toThrow(expect.objectContaining({ code, field }));
  });

  it('parses to frozen hops with "" meaning unset, strings and objects mixed', () => {
    const parsed = remote({ jumpHosts: ['a@b:1', { host: 'gw', username: '', privateKeyPath: '' }] });
    expect(parsed.jumpHosts).toEqual(['a@b:1', { host: 'gw' }]);
    expect(Object.isFrozen(parsed.jumpHosts)).toBe(true);
    expect(Object.isFrozen(parsed.jumpHosts![1])).toBe(true);
  });
});

// Paths as users have them, plus every character a shell or ssh could misread.
const hostilePath = fc
  .stringMatching(/^[A-Za-z0-9 '"\\!`$%&*?#~;|<>(){}[\]=,^@é-]{1,16}$/)
  .map((tail) => `/tmp/${tail}`);
const hostileToken = fc.stringMatching(/^[A-Za-z0-9'"\\!`$%&*?#~;|<>(){}[\]=,^é][A-Za-z0-9'"\\!`$%&*?#~;|<>(){}[\]=,^é-]{0,8}$/);

describe('the ProxyCommand survives ssh and the shell byte for byte (property)', () => {
  it('one hop and two hops: the hop ssh gets exactly the key, known-hosts file, config file and user', () => {
    fc.assert(
      fc.property(hostilePath, hostilePath, hostilePath, hostileToken, fc.boolean(), (key, knownHosts, configFile, user, chain) => {
        const hop = { host: 'gw', username: user, privateKeyPath: key, knownHostsFile: knownHosts };
        const args = buildSshArgs(remote({ useSshConfig: true, privateKeyPath: '/k', jumpHosts: chain ? ['first', hop] : [hop] }), 'x', { sshPath: DUMP, configFile });
        const argv = runProxyCommand(proxyCommandOf(args)!, 'gpu', 2200);
        expect(valueAfter(argv, '-F')).toBe(configFile);
        expect(valueAfter(argv, '-i')).toBe(key);
        expect(optionsOf(argv)).toContain(`UserKnownHostsFile=${sshOptionValue(knownHosts)}`);
        expect(argv.slice(-3)).toEqual(['[gpu]:2200', '--', `${user}@gw`]);
        if (chain) {
          const inner = optionsOf(argv).find((option) => option.startsWith('ProxyCommand='))!.slice('ProxyCommand='.length);
          const first = runProxyCommand(inner, 'gw', 22);
          expect(valueAfter(first, '-F')).toBe(configFile);
          expect(valueAfter(first, '-i')).toBe('/k');
          expect(first.slice(-3)).toEqual(['[gw]:22', '--', 'first']);
        }
      }),
      { numRuns: 60 },
    );
  });
});

// ssh runs ProxyCommand with the user's $SHELL, which need not be a POSIX shell.
describe.each(['/bin/bash', '/usr/bin/zsh', '/usr/bin/fish', '/usr/bin/tcsh', '/bin/dash'].filter((shell) => fs.existsSync(shell)))('ProxyCommand under SHELL=%s', (shell) => {
  it.each([
    ['plain paths', '/home/me/.ssh/id_ed25519'],
    ['quotes, !, backslash, $, backtick, %, unicode', `/tmp/a b'c"d!e\\f$HOME\`g%h é`],
  ])('%s', (_, key) => {
    const one = buildSshArgs(remote({ privateKeyPath: key, jumpHosts: ['ops@b:2222'] }), 'x', { sshPath: DUMP });
    expect(valueAfter(runProxyCommand(proxyCommandOf(one)!, 'gpu', 2200, shell), '-i')).toBe(key);
    const two = buildSshArgs(remote({ privateKeyPath: key, jumpHosts: ['a', 'b'] }), 'x', { sshPath: DUMP });
    const second = runProxyCommand(proxyCommandOf(two)!, 'gpu', 2200, shell);
    const inner = optionsOf(second).find((option) => option.startsWith('ProxyCommand='))!.slice('ProxyCommand='.length);
    expect(valueAfter(runProxyCommand(inner, 'b', 22, shell), '-i')).toBe(key);
  });
});
