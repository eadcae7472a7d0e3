import { describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { SshRunError } from '../../src/exec/index.js';
import { BUILTIN_AGENTS, getAgent, groomContext, listAgents, registerAgent } from '../../src/groom/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { fakeExecutor } from '../exec/fake-executor.js';

const store = createMemoryStoreAdapter([{ id: 'gpu', host: 'gpu.example', username: 'dev' }]);

describe('agent registry', () => {
  it('has real agent CLIs built in', () => {
    expect(listAgents()).toEqual(expect.arrayContaining(['claude-code', 'codex', 'gemini-cli']));
    expect(getAgent('claude-code')).toMatchObject({ binary: 'claude', batchArgs: ['--print'] });
    expect(getAgent('codex')).toMatchObject({ binary: 'codex', batchArgs: ['exec'] });
    expect(BUILTIN_AGENTS['gemini-cli']!.promptArgs!('-x')).toEqual(['--prompt=-x']);
  });

  it('registers, replaces and restores', () => {
    const restore = registerAgent('claude-code', { binary: 'claude2', batchArgs: ['-p'] });
    expect(getAgent('claude-code')?.binary).toBe('claude2');
    restore();
    expect(getAgent('claude-code')?.binary).toBe('claude');
    const remove = registerAgent('mine', { binary: 'mine', batchArgs: [] });
    expect(getAgent('mine')).toBeDefined();
    remove();
    expect(getAgent('mine')).toBeUndefined();
  });

  it('refuses malformed definitions', () => {
    expect(() => registerAgent('bad type', { binary: 'x', batchArgs: [] })).toThrow(SshWrapError);
    expect(() => registerAgent('ok', { binary: '-x', batchArgs: [] })).toThrow(SshWrapError);
  });
});

describe('groomContext (fake executor)', () => {
  it('runs locally when SSH is off: claude --print -- <prompt> in projectRoot, returns trimmed stdout', async () => {
    const executor = fakeExecutor((child) => {
      child.stdout.write('  The summary.\n');
      child.exit(0);
    });
    const text = await groomContext('/srv/app', 'claude-code', 'Summarize', { executor, customEnvVars: { NODE_ENV: 'x', ANTHROPIC_API_KEY: 'sk-1' } });
    expect(text).toBe('The summary.');
    const child = executor.children[0]!;
    expect([child.command, ...child.args]).toEqual(['claude', '--print', '--', 'Summarize']);
    expect(child.options.cwd).toBe('/srv/app');
    expect(child.options.env).toMatchObject({ NODE_ENV: 'x', ANTHROPIC_API_KEY: 'sk-1' });
  });

  it('runs over ssh with customPath remotely and secrets kept off the command line', async () => {
    const executor = fakeExecutor((child) => {
      child.marker('pid', 1).marker('started');
      child.stdout.write('remote summary');
      child.marker('exit', 0);
      child.exit(0);
    });
    const text = await groomContext('/path/to/project', 'claude-code', 'Summarize', {
      sshRemoteConfig: { enabled: true, remoteId: 'gpu', workingDirOverride: '/home/dev/project' },
      customPath: '/opt/claude/bin/claude',
      customEnvVars: { ANTHROPIC_API_KEY: 'sk-secret-value' },
      store,
      executor,
    });
    expect(text).toBe('remote summary');
    const child = executor.children[0]!;
    expect(child.command).toBe('ssh');
    expect(child.args.join(' ')).not.toContain('sk-secret-value');
    expect(Buffer.concat(child.stdinData).toString()).toContain('sk-secret-value');
  });

  it('a failed run rejects with SshRunError carrying errorKind and hint', async () => {
    const executor = fakeExecutor((child) => {
      child.marker('pid', 1).marker('not-found');
      child.exit(127);
    });
    const error = await groomContext('/p', 'codex', 'x', { sshRemoteConfig: { enabled: true, remoteId: 'gpu' }, store, executor }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SshRunError);
    expect(error).toMatchObject({ errorKind: 'agent-not-found', hint: expect.stringMatching(/full path/) });
  });

  it('a non-zero exit rejects without errorKind', async () => {
    const executor = fakeExecutor((child) => {
      child.stderr.write('rate limited\n');
      child.exit(2);
    });
    const error = (await groomContext('/p', 'gemini-cli', 'x', { executor }).catch((e: unknown) => e)) as SshRunError;
    expect(error).toBeInstanceOf(SshRunError);
    expect(error.errorKind).toBeUndefined();
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('gemini-cli (context grooming) failed with exit code 2\nrate limited');
    expect([executor.children[0]!.command, ...executor.children[0]!.args]).toEqual(['gemini', '--prompt=x']);
  });

  it('bad input throws SshWrapError before spawning', async () => {
    const executor = fakeExecutor(() => {});
    await expect(groomContext('/p', 'nope', 'x', { executor })).rejects.toMatchObject({ code: 'INVALID_CONFIG', field: 'agentType' });
    await expect(groomContext('/p', 'codex', 'x', { executor, sshRemoteConfig: { enabled: true, remoteId: 'gpu' } })).rejects.toMatchObject({ field: 'store' });
    expect(executor.children).toHaveLength(0);
  });
});
