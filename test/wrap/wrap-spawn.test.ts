import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { wrapSpawnWithSsh } from '../../src/exec/index.js';
import type { SshSpawnWrapResult } from '../../src/wrap/index.js';

const gpu = { id: 'gpu-1', name: 'GPU Server', host: 'gpu-server', port: 22, username: 'dev', privateKeyPath: '~/.ssh/id_ed25519', useSshConfig: false, passphrase: 'pp-secret-1' };
const store = createMemoryStoreAdapter([gpu, { id: 'off', name: 'Off', host: 'h', useSshConfig: false, enabled: false }, { id: 'bad', host: '-x' }, { id: 'env', host: 'h', remoteEnv: { A: 'remote', B: 'remote' } }]);
const on = { enabled: true, remoteId: 'gpu-1' };
const reference = { command: '/usr/local/bin/claude', args: ['--print'], cwd: '/path/to/project', prompt: 'Hello, Claude!', agentBinaryName: 'claude' };

/** Runs the remote script the way the remote login shell would, here, under `shell`. */
function runRemotely(result: SshSpawnWrapResult, shell = 'sh', stdin = result.stdin ?? '') {
  const remoteCommand = result.args.at(-1)!;
  return spawnSync(shell, ['-c', remoteCommand], { input: stdin, encoding: 'utf8', cwd: '/' });
}

async function expectCode(promise: Promise<unknown>, code: string) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SshWrapError);
  expect((error as SshWrapError).code).toBe(code);
  return error as SshWrapError;
}

describe('wrapSpawnWithSsh — local branches', () => {
  it.each([[undefined], [null], [{ enabled: false, remoteId: 'gpu-1' }], [{ enabled: true, remoteId: null }]])('returns the spawn unchanged for %j', async (agent) => {
    const result = await wrapSpawnWithSsh({ ...reference, customEnvVars: { K: 'v' } }, agent, store);
    expect(result).toEqual({ command: reference.command, args: ['--print'], cwd: reference.cwd, customEnvVars: { K: 'v' }, prompt: 'Hello, Claude!', sshRemoteUsed: null });
  });

  it('throws REMOTE_NOT_FOUND for an unknown or disabled remote instead of running locally', async () => {
    const unknown = await expectCode(wrapSpawnWithSsh(reference, { enabled: true, remoteId: 'nope' }, store), 'REMOTE_NOT_FOUND');
    expect(unknown.message).toContain('nope');
    await expectCode(wrapSpawnWithSsh(reference, { enabled: true, remoteId: 'off' }, store), 'REMOTE_NOT_FOUND');
  });

  it('falls back to local only when asked to', async () => {
    const result = await wrapSpawnWithSsh(reference, { enabled: true, remoteId: 'nope' }, store, { fallbackToLocal: true });
    expect(result.sshRemoteUsed).toBeNull();
    expect(result.command).toBe(reference.command);
  });

  it('reports a broken stored entry when it is the one resolved', async () => {
    const error = await expectCode(wrapSpawnWithSsh(reference, { enabled: true, remoteId: 'bad' }, store), 'UNSAFE_ARGUMENT');
    expect(error.field).toBe('host');
  });

  it('validates input before anything else', async () => {
    await expectCode(wrapSpawnWithSsh({ ...reference, args: ['a\u0000'] }, on, store), 'UNSAFE_ARGUMENT');
    await expectCode(wrapSpawnWithSsh({ ...reference, customEnvVars: { 'BAD-NAME': 'x' } }, on, store), 'INVALID_CONFIG');
    await expectCode(wrapSpawnWithSsh(reference, { enabled: 'yes' } as never, store), 'INVALID_CONFIG');
    await expectCode(wrapSpawnWithSsh({ ...reference, agentBinaryName: '-evil' }, on, store), 'UNSAFE_ARGUMENT');
    await expectCode(wrapSpawnWithSsh(reference, on, store, { secretEnv: { 'X Y': '1' } }), 'INVALID_CONFIG');
    await expectCode(wrapSpawnWithSsh({ ...reference, promptArgs: () => ['-p', 'a\u0000'] }, on, store), 'UNSAFE_ARGUMENT');
    await expectCode(wrapSpawnWithSsh(reference, on, store, { maxCommandBytes: 200_000 }), 'INVALID_CONFIG');
  });
});

describe('wrapSpawnWithSsh — remote', () => {
  it('wraps the reference example', async () => {
    const result = await wrapSpawnWithSsh(reference, on, store);
    expect(result.command).toBe('ssh');
    expect(result.cwd).toBe(homedir());
    expect(result.customEnvVars).toBeUndefined();
    expect(result.prompt).toBeUndefined();
    expect(result.stdin).toBeUndefined();
    expect(result.sshRemoteUsed).toEqual({ ...gpu, passphrase: undefined, enabled: true });
    expect(result.sshRemoteUsed).not.toHaveProperty('passphrase');
    expect(result.args.slice(-3, -1)).toEqual(['--', 'dev@gpu-server']);
    expect(result.args).toContain('-i');
    expect(result.remoteCommand).toBe("cd /path/to/project && claude --print -- 'Hello, Claude!'");
    expect(JSON.stringify(result)).not.toContain('pp-secret-1');
  });

  it('honours sshPath, localCwd, workingDirOverride and agentBinaryName', async () => {
    const result = await wrapSpawnWithSsh(reference, { ...on, workingDirOverride: '~/proj' }, store, { sshPath: '/opt/ssh', localCwd: '/tmp' });
    expect(result.command).toBe('/opt/ssh');
    expect(result.cwd).toBe('/tmp');
    expect(result.remoteCommand).toBe(`cd "$HOME"/proj && claude --print -- 'Hello, Claude!'`);
  });

  it('exports remoteEnv overridden by customEnvVars, and redacts secret-looking values in the display form', async () => {
    const result = await wrapSpawnWithSsh({ command: 'env', args: [], cwd: '/', customEnvVars: { B: 'custom', ANTHROPIC_API_KEY: 'sk-live-123' } }, { enabled: true, remoteId: 'env' }, store, { remotePath: 'inherit' });
    expect(result.remoteCommand).toBe(`cd / && export A=remote B=custom ANTHROPIC_API_KEY='<redacted>' && env`);
    const env = runRemotely(result).stdout;
    expect(env).toContain('A=remote\n');
    expect(env).toContain('B=custom\n');
    expect(env).toContain('ANTHROPIC_API_KEY=sk-live-123\n');
  });

  it('prompt placement: separator, promptArgs, noPromptSeparator', async () => {
    const cases: Array<[object, string[]]> = [
      [{}, ['--print', '--', '-p?']],
      [{ noPromptSeparator: true }, ['--print', '-p?']],
      [{ promptArgs: (p: string) => ['-p', p] }, ['--print', '-p', '-p?']],
    ];
    for (const [extra, expected] of cases) {
      const result = await wrapSpawnWithSsh({ command: 'printf', args: ['--print'], cwd: '/', prompt: '-p?', ...extra }, on, store, { remotePath: 'inherit' });
      expect(result.remoteCommand).toBe(`cd / && printf ${expected.map((w) => (w === '-p?' ? `'-p?'` : w)).join(' ')}`);
    }
  });

  it('moves a prompt above the threshold to stdin and leaves the agent stdin connected', async () => {
    const prompt = 'x'.repeat(4001);
    const result = await wrapSpawnWithSsh({ command: 'wc', args: ['-c'], cwd: '/', prompt }, on, store, { remotePath: 'inherit' });
    expect(result.prompt).toBeUndefined(); // a forwarded prompt would become remote shell text
    expect(result.stdin).toBe(prompt);
    expect(result.args.at(-1)!.length).toBeLessThan(2000);
    expect(runRemotely(result).stdout.trim()).toBe('4001');
    const small = await wrapSpawnWithSsh({ command: 'wc', args: ['-c'], cwd: '/', prompt: 'x'.repeat(4000) }, on, store);
    expect(small.prompt).toBeUndefined();
  });

  it('measures the threshold in UTF-8 bytes and keeps any prompt size away from the kernel limit', async () => {
    const emoji = '😀'.repeat(1001); // 4004 bytes, 2002 UTF-16 units
    expect((await wrapSpawnWithSsh({ command: 'cat', args: [], cwd: '/', prompt: emoji }, on, store)).stdin).toBe(emoji);
    const tenMb = 'p'.repeat(10 * 1024 * 1024);
    const huge = await wrapSpawnWithSsh({ command: 'wc', args: ['-c'], cwd: '/', prompt: tenMb }, on, store);
    expect(huge.args.reduce((n, a) => n + Buffer.byteLength(a), 0)).toBeLessThan(10_000);
    expect(huge.stdin!.length).toBe(tenMb.length);
  });

  it('moves even a small prompt to stdin when embedding would pass maxCommandBytes', async () => {
    const result = await wrapSpawnWithSsh({ command: 'cat', args: ['a'.repeat(3000)], cwd: '/', prompt: 'b'.repeat(3000) }, on, store, { maxCommandBytes: 5000, remotePath: 'inherit' });
    expect(result.stdin).toBe('b'.repeat(3000));
    expect(Buffer.byteLength(result.args.at(-1)!)).toBeLessThanOrEqual(5000);
  });

  it('throws COMMAND_TOO_LONG when the arguments alone are too large', async () => {
    await expectCode(wrapSpawnWithSsh({ command: 'echo', args: ['a'.repeat(200_000)], cwd: '/' }, on, store), 'COMMAND_TOO_LONG');
  });

  it('gives an embedded-prompt agent /dev/null as stdin (no hang, no tty), unless keepStdin', async () => {
    // `sh -c cat -- hi`: the prompt lands in $0/$1, cat reads stdin.
    const agent = { command: 'sh', args: ['-c', 'cat'], cwd: '/', prompt: 'hi' };
    const result = await wrapSpawnWithSsh(agent, on, store, { remotePath: 'inherit' });
    expect(result.args).not.toContain('-t');
    expect(result.args).not.toContain('-tt');
    expect(runRemotely(result, 'sh', 'caller data').stdout).toBe('');
    const streaming = await wrapSpawnWithSsh(agent, on, store, { keepStdin: true, remotePath: 'inherit' });
    expect(runRemotely(streaming, 'sh', 'stream-json').stdout).toBe('stream-json');
  });

  it('sends secretEnv over stdin only, ahead of a stdin prompt', async () => {
    const prompt = 'q'.repeat(5000);
    const result = await wrapSpawnWithSsh({ command: 'sh', args: ['-c', 'printf %s "$TOKEN|"; wc -c'], cwd: '/', prompt, customEnvVars: { TOKEN: 'not-this' } }, on, store, {
      secretEnv: { TOKEN: 'tok-secret-value\n' },
      remotePath: 'inherit',
    });
    expect(result.args.join(' ')).not.toContain('tok-secret-value');
    expect(result.args.join(' ')).not.toContain('not-this');
    expect(result.remoteCommand).toContain(`TOKEN='<redacted>'`);
    expect(result.stdin!.endsWith(prompt)).toBe(true);
    expect(JSON.stringify(result)).not.toContain('tok-secret-value');
    expect({ ...result }).not.toHaveProperty('stdin');
    expect(runRemotely(result).stdout.replace(/ +/g, '')).toBe('tok-secret-value\n|5000\n');
  });

  it('posix shell mode sends the readable script itself', async () => {
    const result = await wrapSpawnWithSsh({ command: 'echo', args: ['hi'], cwd: '/' }, on, store, { shell: 'posix', remotePath: 'inherit' });
    expect(result.args.at(-1)).toBe('cd / || { exit 1; }\nexec echo hi </dev/null');
    expect(runRemotely(result).stdout).toBe('hi\n');
  });

  it('property: args, env, cwd and embedded prompt arrive byte-exact through the any-shell transport', async () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 }).map((s) => Buffer.from(s.replace(/\u0000/g, ''), 'utf8').toString('utf8'));
    await fc.assert(
      fc.asyncProperty(fc.array(text, { maxLength: 5 }), text, text, async (args, value, prompt) => {
        const result = await wrapSpawnWithSsh(
          { command: process.execPath, args: ['-e', 'process.stdout.write(JSON.stringify([process.argv.slice(1), process.env.V, process.cwd()]))', '--', ...args], cwd: '/tmp', prompt, customEnvVars: { V: value } },
          on,
          store,
          { remotePath: 'inherit' },
        );
        // node consumes the first `--` itself; the prompt's own `--` must survive.
        const out = JSON.parse(runRemotely(result).stdout) as unknown;
        expect(out).toEqual([[...args, '--', prompt], value, '/tmp']);
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});
