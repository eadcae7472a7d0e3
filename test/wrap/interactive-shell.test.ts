import { describe, expect, it } from 'vitest';
import { parseSshRemoteConfig } from '../../src/schemas/index.js';
import { anyShellCommand, wrapInteractiveShell } from '../../src/wrap/index.js';
import { refusal } from '../helpers/refusal.js';

const remote = parseSshRemoteConfig({ id: 'gpu', host: 'gpu.example.com', username: 'dev', privateKeyPath: '/k/id', customOptions: { RequestTTY: 'no', ServerAliveInterval: '30' } });

/** The `-o` values ssh gets, in order. */
const options = (args: readonly string[]): string[] => args.flatMap((arg, i) => (args[i - 1] === '-o' ? [arg] : []));

describe('wrapInteractiveShell (pure)', () => {
  it('a pty (-tt and RequestTTY=force, a customOptions RequestTTY dropped), the remote options as for runs, the startup command last', () => {
    const { command, args } = wrapInteractiveShell(remote, { cwd: '~/my project', env: { NODE_ENV: 'dev', QUOTE: "it's $x" } });
    expect(command).toBe('ssh');
    expect(args[0]).toBe('-tt');
    const opts = options(args);
    expect(opts).toContain('RequestTTY=force');
    expect(opts.filter((o) => /^requesttty=/i.test(o))).toEqual(['RequestTTY=force']);
    expect(opts).toContain('ClearAllForwardings=yes');
    expect(opts).toContain('BatchMode=yes');
    expect(opts).toContain('ServerAliveInterval=30');
    expect(args.slice(-3, -1)).toEqual(['--', 'dev@gpu.example.com']);
    expect(args.at(-1)).toBe(anyShellCommand(`cd "$HOME"'/my project' || exit 1\nexport NODE_ENV=dev QUOTE='it'\\''s $x'\nexec "$SHELL" -l`));
  });

  it('defaults: the login shell in the home directory; `shell` replaces $SHELL; sshPath is the command', () => {
    expect(wrapInteractiveShell(remote).args.at(-1)).toBe(anyShellCommand('exec "$SHELL" -l'));
    const custom = wrapInteractiveShell(remote, { shell: '/usr/bin/fish', sshPath: '/opt/ssh' });
    expect(custom.command).toBe('/opt/ssh');
    expect(custom.args.at(-1)).toBe(anyShellCommand('exec /usr/bin/fish -l'));
  });

  it('refuses secret-looking env names (a pty has no private stdin), unknown keys, option-like shells and Windows remotes', () => {
    expect(refusal(() => wrapInteractiveShell(remote, { env: { ANTHROPIC_API_KEY: 'sk-1' } }))).toMatchObject({ code: 'UNSAFE_ARGUMENT', field: 'env.ANTHROPIC_API_KEY' });
    expect(refusal(() => wrapInteractiveShell(remote, { env: { DATABASE_URL: 'postgres://u:p@h/db' } }))).toMatchObject({ field: 'env.DATABASE_URL' });
    expect(refusal(() => wrapInteractiveShell(remote, { cwdir: '/x' } as never))).toMatchObject({ code: 'INVALID_CONFIG' });
    expect(refusal(() => wrapInteractiveShell(remote, { shell: '-c' }))).toMatchObject({ code: 'UNSAFE_ARGUMENT' });
    expect(refusal(() => wrapInteractiveShell(remote, { env: { 'BAD NAME': 'x' } }))).toMatchObject({ code: 'INVALID_CONFIG' });
    expect(refusal(() => wrapInteractiveShell(remote, { cwd: 'a\0b' }))).toMatchObject({ code: 'UNSAFE_ARGUMENT' });
    expect(refusal(() => wrapInteractiveShell({ ...remote, remotePlatform: 'windows' }))).toMatchObject({ code: 'INVALID_CONFIG', field: 'remotePlatform' });
  });
});
