import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { memoryIo, tempDir } from './helpers.js';

const tmp = tempDir('sshwrap-cli-');
afterAll(() => tmp.cleanup());

const remotesFile = tmp.write(
  'remotes.json',
  JSON.stringify({
    sshRemotes: [
      {
        id: 'box', name: 'Box', host: 'box.example.com', port: 2202, username: 'dev',
        passphrase: 'never-printed', remoteEnv: { MODE: 'prod', DB_PASSWORD: 'hunter2-db' },
      },
      { id: 'off', host: 'off.example.com', enabled: false },
      { id: 'bad', host: 'has space' },
    ],
  }),
);
const sshConfig = tmp.write('ssh_config', 'Host alias other\n  HostName alias.example.com\nHost *.wild\n');
// No real ~/.config/sshwrap or ~/.ssh/config may leak into these tests.
const env = { XDG_CONFIG_HOME: path.join(tmp.dir, 'xdg'), HOME: tmp.dir };

async function cli(argv: string[], stdin = '') {
  const io = memoryIo(env, stdin);
  const code = await run(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('sshwrap (in-process)', () => {
  it('prints help for the top level and every command, exit 0', async () => {
    for (const argv of [['--help'], ['-h'], ['help'], ...['exec', 'wrap', 'test', 'hosts'].flatMap((c) => [[c, '--help'], ['help', c]])]) {
      const result = await cli(argv);
      expect(result.code, argv.join(' ')).toBe(0);
      expect(result.out).toMatch(/^Usage: sshwrap/);
      expect(result.err).toBe('');
    }
  });

  it('prints the package version', async () => {
    expect(await cli(['--version'])).toEqual({ code: 0, out: `${JSON.parse(readFileSync('package.json', 'utf8')).version}\n`, err: '' });
  });

  it.each([
    [[], /^Usage: sshwrap/],
    [['nope'], /^sshwrap: unknown command "nope"/],
    [['--nope'], /^sshwrap: unknown option "--nope"/],
    [['help', 'nope'], /^sshwrap: help: unknown command "nope"/],
    [['wrap', 'box', '--remotes', remotesFile, '--', 'ls'], /^sshwrap: wrap: only --dry-run is supported.*use 'sshwrap exec'/],
    [['wrap', '--dry-run', '--', 'ls'], /^sshwrap: wrap: missing <remote>/],
    [['exec', 'box', '--remotes', remotesFile, 'ls'], /put the remote command after --/],
    [['exec', 'box', '--timeout', 'soon', '--', 'ls'], /--timeout expects a positive number/],
    [['hosts', 'extra'], /^sshwrap: hosts: unexpected argument "extra"/],
    [['test'], /^sshwrap: test: missing <remote>/],
    [['test', 'box', 'extra'], /^sshwrap: test: unexpected argument "extra"/],
    [['test', 'box', '--agent=-v'], /^sshwrap: test: --agent expects a command name/],
    [['test', 'ghost', '--remotes', remotesFile, '--ssh-config', sshConfig], /^sshwrap: unknown remote "ghost"/],
    [['wrap', 'ghost', '--remotes', remotesFile, '--ssh-config', sshConfig, '--dry-run', '--', 'ls'], /^sshwrap: unknown remote "ghost"/],
    [['wrap', 'x.wild', '--remotes', remotesFile, '--ssh-config', sshConfig, '--dry-run', '--', 'ls'], /^sshwrap: unknown remote "x.wild"/],
    [['wrap', 'bad', '--remotes', remotesFile, '--dry-run', '--', 'ls'], /entry \[2\] "bad": .*whitespace/],
    [['wrap', 'off', '--remotes', remotesFile, '--dry-run', '--', 'ls'], /disabled/],
    [['wrap', 'box', '--remotes', path.join(tmp.dir, 'missing.json'), '--dry-run', '--', 'ls'], /cannot read it \(ENOENT\)/],
    [['wrap', 'box', '--remotes', remotesFile, '--prompt-file', path.join(tmp.dir, 'missing.txt'), '--dry-run', '--', 'cat'], /--prompt-file: cannot read/],
  ])('%j: one clear line on stderr, exit 2, no stack', async (argv, message) => {
    const result = await cli(argv);
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toMatch(message);
    expect(result.err).not.toMatch(/\n\s+at /);
    expect(result.err.split('\n').filter(Boolean).length).toBeLessThanOrEqual(argv.length === 0 ? 50 : 2);
  });

  it('wrap --dry-run prints the wrap result as JSON without secrets', async () => {
    const result = await cli([
      'wrap', 'box', '--remotes', remotesFile, '--cwd', '~/app', '--env', 'NODE_ENV=production', '--env', 'ANTHROPIC_API_KEY=sk-live-123',
      '--dry-run', '--', 'claude', '--print', 'hello world',
    ]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out);
    expect(report).toMatchObject({
      remote: { id: 'box', source: 'remotes-file', file: remotesFile },
      command: 'ssh',
      cwd: expect.any(String),
      remoteCommand: expect.stringContaining("ANTHROPIC_API_KEY='<redacted>'"),
      stdin: { bytes: expect.any(Number), promptBytes: 0, envNames: ['DB_PASSWORD', 'ANTHROPIC_API_KEY'] },
      sshRemoteUsed: { id: 'box', host: 'box.example.com', remoteEnv: { MODE: 'prod', DB_PASSWORD: '<redacted>' } },
      effective: { user: 'dev', hostname: 'box.example.com', port: 2202, source: 'remote-config' },
    });
    expect(report.args).toEqual(expect.arrayContaining(['-F', 'none', '-p', '2202', '--', 'dev@box.example.com']));
    expect(report.remoteCommand).toContain('NODE_ENV=production');
    for (const secret of ['sk-live-123', 'hunter2-db', 'never-printed']) expect(result.out).not.toContain(secret);
    expect(report.sshRemoteUsed).not.toHaveProperty('passphrase');
  });

  it('--env-on-stdin all sends every variable over stdin; none puts them on the command line; anything else is a usage error', async () => {
    const base = ['wrap', 'box', '--remotes', remotesFile, '--env', 'NODE_ENV=production', '--dry-run'];
    const all = JSON.parse((await cli([...base, '--env-on-stdin', 'all', '--', 'env'])).out);
    expect(all.stdin.envNames).toEqual(['MODE', 'DB_PASSWORD', 'NODE_ENV']);
    expect(all.remoteCommand).toContain("NODE_ENV='<redacted>'");
    const none = JSON.parse((await cli([...base, '--env-on-stdin', 'none', '--', 'env'])).out);
    expect(none).not.toHaveProperty('stdin');
    expect(none.remoteCommand).toContain('DB_PASSWORD=hunter2-db');
    const bad = await cli([...base, '--env-on-stdin', 'some', '--', 'env']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--env-on-stdin must be secrets, all or none/);
  });

  it('wrap --dry-run shows a large prompt by size only', async () => {
    const prompt = 'p'.repeat(10_000);
    const result = await cli(['wrap', 'box', '--remotes', remotesFile, '--prompt-file', '-', '--dry-run', '--', 'cat'], prompt);
    const report = JSON.parse(result.out);
    expect(report.stdin.promptBytes).toBe(10_000);
    expect(report.stdin.bytes).toBeGreaterThan(10_000);
    expect(result.out).not.toContain('p'.repeat(100));
  });

  it('hosts lists both sources, invalid entries flagged', async () => {
    const text = await cli(['hosts', '--remotes', remotesFile, '--ssh-config', sshConfig]);
    expect(text.code).toBe(0);
    expect(text.out).toContain(`Remotes (${remotesFile}):`);
    expect(text.out).toMatch(/ {2}box {2}dev@box\.example\.com:2202 {2}"Box"\n/);
    expect(text.out).toMatch(/ {2}off {2}off\.example\.com:22 {2}\(disabled\)\n/);
    expect(text.out).toMatch(/\[2\] bad {2}INVALID: /);
    expect(text.out).toContain(`SSH config hosts (${sshConfig}):\n  alias\n  other\n`);

    const json = await cli(['hosts', '--json', '--remotes', remotesFile, '--ssh-config', sshConfig]);
    expect(JSON.parse(json.out)).toEqual({
      remotesFile,
      remotes: [
        { id: 'box', name: 'Box', host: 'box.example.com', port: 2202, username: 'dev', useSshConfig: false, enabled: true },
        { id: 'off', name: '', host: 'off.example.com', port: 22, useSshConfig: false, enabled: false },
      ],
      invalidRemotes: [{ index: 2, id: 'bad', message: expect.stringContaining('whitespace') }],
      sshConfigFile: sshConfig,
      sshConfigHosts: ['alias', 'other'],
    });
    expect(json.out).not.toContain('never-printed');
  });

  it('hosts works with neither file present', async () => {
    const result = await cli(['hosts']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('absent');
    // ssh reads the real user's ~/.ssh/config whatever $HOME says, and so does hosts.
    expect(result.out).toMatch(/\nSSH config hosts \(.*\.ssh\/config\):\n/);
  });
});
