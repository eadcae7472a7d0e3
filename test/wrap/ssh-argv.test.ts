import { describe, expect, it } from 'vitest';
import { parseSshRemoteConfig } from '../../src/schemas/index.js';
import { buildSshArgs, defaultSshPath, sshDestination, sshOptionValue } from '../../src/wrap/index.js';

const BASE = [
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
];

describe('buildSshArgs: the exact argv', () => {
  it('a bare remote: -F none, the defaults, -p 22, destination, command', () => {
    expect(buildSshArgs(parseSshRemoteConfig({ id: 'r', host: 'h' }), 'cmd')).toEqual(['-F', 'none', ...BASE, '-p', '22', '--', 'h', 'cmd']);
  });

  it('without a remote command, the destination is last', () => {
    expect(buildSshArgs(parseSshRemoteConfig({ id: 'r', host: 'h' }), undefined)).toEqual(['-F', 'none', ...BASE, '-p', '22', '--', 'h']);
  });

  it('every remote field, in order: identity, known hosts, managed, custom, strict policy, the hops; then -p -i', () => {
    const remote = parseSshRemoteConfig({
      id: 'r', host: 'h', username: 'u', port: 2200, privateKeyPath: '/k', knownHostsFile: '/kh', hostKeyPolicy: 'strict',
      customOptions: { Compression: 'yes' }, jumpHosts: ['j1', 'u@j2:22'],
    });
    expect(buildSshArgs(remote, 'cmd', { managedOptions: { ControlMaster: 'auto' } })).toEqual([
      '-F', 'none',
      '-o', 'BatchMode=yes',
      '-o', 'StrictHostKeyChecking=yes',
      ...BASE.slice(4),
      '-o', 'IdentitiesOnly=yes',
      '-o', 'UserKnownHostsFile=/kh',
      '-o', 'ControlMaster=auto',
      '-o', 'Compression=yes',
      '-o', expect.stringMatching(/^ProxyCommand=\/bin\/sh -c /),
      '-p', '2200',
      '-i', '/k',
      '--', 'u@h',
      'cmd',
    ]);
  });

  it("hostKeyPolicy 'accept-new' keeps the default; no key means no IdentitiesOnly; no hops means no ProxyCommand", () => {
    const args = buildSshArgs(parseSshRemoteConfig({ id: 'r', host: 'h', hostKeyPolicy: 'accept-new', jumpHosts: [] }), 'x');
    expect(args).toEqual(['-F', 'none', ...BASE, '-p', '22', '--', 'h', 'x']);
  });

  it('useSshConfig: false ignores configFile and always sends the port', () => {
    expect(buildSshArgs(parseSshRemoteConfig({ id: 'r', host: 'h', port: 2222 }), 'x', { configFile: '/cfg' }).slice(0, 2)).toEqual(['-F', 'none']);
    expect(buildSshArgs(parseSshRemoteConfig({ id: 'r', host: 'h', port: 2222 }), 'x')).toContain('2222');
  });

  it('useSshConfig: true leaves -F, -p 22 and the user to ssh_config', () => {
    expect(buildSshArgs(parseSshRemoteConfig({ id: 'r', host: 'h', useSshConfig: true }), 'x')).toEqual([...BASE, '--', 'h', 'x']);
    expect(buildSshArgs(parseSshRemoteConfig({ id: 'r', host: 'h', useSshConfig: true, port: 22 }), 'x', { configFile: '/cfg' })).toEqual(['-F', '/cfg', ...BASE, '--', 'h', 'x']);
  });
});

describe('sshOptionValue', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    ['a\tb', '"a\tb"'],
    ["it's", `"it's"`],
    ['C:\\x', '"C:\\\\x"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['a\\"b', '"a\\\\\\"b"'],
    ['%h-%p', '%h-%p'],
  ])('%j → %j', (value, written) => {
    expect(sshOptionValue(value)).toBe(written);
  });
});

describe('sshDestination', () => {
  it('joins user and host with @', () => {
    expect(sshDestination({ host: 'gpu', username: 'dev' })).toBe('dev@gpu');
    expect(sshDestination({ host: 'gpu', username: undefined })).toBe('gpu');
  });
});

describe('defaultSshPath', () => {
  it('uses SystemRoot, then SYSTEMROOT, then windir, trimming trailing backslashes', () => {
    expect(defaultSshPath('win32', { SYSTEMROOT: 'E:\\W' })).toBe('E:\\W\\System32\\OpenSSH\\ssh.exe');
    expect(defaultSshPath('win32', { windir: 'F:\\W\\\\' })).toBe('F:\\W\\System32\\OpenSSH\\ssh.exe');
    expect(defaultSshPath('win32', { SystemRoot: 'A:', SYSTEMROOT: 'B:', windir: 'C:' })).toBe('A:\\System32\\OpenSSH\\ssh.exe');
    expect(defaultSshPath('win32', { SYSTEMROOT: 'B:', windir: 'C:' })).toBe('B:\\System32\\OpenSSH\\ssh.exe');
    expect(defaultSshPath('win32', { SystemRoot: 'D:\\a\\b' })).toBe('D:\\a\\b\\System32\\OpenSSH\\ssh.exe');
    expect(defaultSshPath('linux', { SystemRoot: 'D:' })).toBe('ssh');
  });
});
