import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SshRunError } from '../../src/exec/index.js';
import { groomContext, registerAgent } from '../../src/groom/index.js';
import { recordingExecutor, remoteSetup, userFor } from '../exec/testbed-helpers.js';

const tb = inject('testbed');

/**
 * Stands in for `claude --print`: checks its batch flag, takes the prompt from `-- <prompt>` or
 * stdin, and answers with what it received (and whether the API key reached it).
 */
const FAKE_CLAUDE = `#!/bin/sh
[ "$1" = "--print" ] || { echo "fake-claude: expected --print, got $1" >&2; exit 2; }
shift
if [ "$#" -gt 0 ]; then [ "$1" = "--" ] && shift; prompt=$1; via=argv; else prompt=$(cat); via=stdin; fi
printf 'summary via %s of %s bytes in %s; key=%s\\n' "$via" "$(printf %s "$prompt" | wc -c | tr -d ' ')" "$PWD" "\${ANTHROPIC_API_KEY:-unset}"
`;

describe.skipIf(!tb)('groomContext over ssh and locally', () => {
  const info = tb!;
  // Outside every user's home, readable and executable by all test users, unique to this file.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sshwrap-groom-'));
  const fakeClaude = path.join(dir, `fake-claude-${randomBytes(3).toString('hex')}`);

  beforeAll(() => {
    fs.chmodSync(dir, 0o755);
    fs.writeFileSync(fakeClaude, FAKE_CLAUDE, { mode: 0o755 });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe.each(['bash', 'fish', 'tcsh'])('%s login shell', (shell) => {
    it('claude-code through customPath: small prompt on argv, runs in workingDirOverride, key delivered off the command line', async () => {
      const user = userFor(info, shell);
      const { store, remote } = remoteSetup(info, user);
      const executor = recordingExecutor();
      const key = `sk-test-${randomBytes(6).toString('hex')}`;
      const summary = await groomContext('/local/project/that/does/not/exist/remotely', 'claude-code', 'Summarize the decisions', {
        sshRemoteConfig: { enabled: true, remoteId: remote.id, workingDirOverride: '/tmp' },
        customPath: fakeClaude,
        customEnvVars: { ANTHROPIC_API_KEY: key },
        store,
        executor,
      });
      expect(summary).toBe(`summary via argv of 23 bytes in /tmp; key=${key}`);
      expect(executor.children).toHaveLength(1);
      // The spawned ssh's argv (what `ps` shows locally; remotely the same command string) lacks the key.
      const cmdline = (executor.children[0] as unknown as { spawnargs: string[] }).spawnargs.join(' ');
      expect(cmdline).not.toContain(key);
    });
  });

  it('a large prompt goes over stdin', async () => {
    const { store, remote } = remoteSetup(info, userFor(info, 'bash'));
    const prompt = 'context '.repeat(20_000);
    const summary = await groomContext('~', 'claude-code', prompt, { sshRemoteConfig: { enabled: true, remoteId: remote.id }, customPath: fakeClaude, store });
    expect(summary).toBe(`summary via stdin of ${prompt.length} bytes in ${userFor(info, 'bash').home}; key=unset`);
  });

  it('a registered agent type runs with its batch args', async () => {
    const { store, remote } = remoteSetup(info, userFor(info, 'fish'));
    const unregister = registerAgent('argdump-agent', { binary: info.argdump, batchArgs: ['--batch'], promptArgs: (p) => ['--prompt', p] });
    try {
      const out = await groomContext('/tmp', 'argdump-agent', '-starts with a dash', { sshRemoteConfig: { enabled: true, remoteId: remote.id }, store });
      expect(JSON.parse(out).argv).toEqual(['--batch', '--prompt', '-starts with a dash']);
    } finally {
      unregister();
    }
  });

  it('runs locally when SSH is off', async () => {
    const summary = await groomContext(dir, 'claude-code', 'local prompt', { customPath: fakeClaude, customEnvVars: { ANTHROPIC_API_KEY: 'sk-local' } });
    expect(summary).toBe(`summary via argv of 12 bytes in ${dir}; key=sk-local`);
  });

  it('an agent missing on the remote rejects with errorKind and hint', async () => {
    const { store, remote } = remoteSetup(info, userFor(info, 'tcsh'));
    const error = await groomContext('~', 'codex', 'x', { sshRemoteConfig: { enabled: true, remoteId: remote.id }, store, customPath: '/nonexistent/codex' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SshRunError);
    expect(error).toMatchObject({ errorKind: 'agent-not-found', hint: expect.stringMatching(/full path/) });
  });

  it('an ssh failure rejects with its kind (auth-failed)', async () => {
    const { store, remote } = remoteSetup(info, userFor(info, 'bash'), { username: 'sshwrap_nobody' });
    const error = await groomContext('~', 'claude-code', 'x', { sshRemoteConfig: { enabled: true, remoteId: remote.id }, store }).catch((e: unknown) => e);
    expect(error).toMatchObject({ errorKind: 'auth-failed' });
  });

  it('a failing agent rejects with its exit code and stderr', async () => {
    const { store, remote } = remoteSetup(info, userFor(info, 'bash'));
    const unregister = registerAgent('broken-agent', { binary: fakeClaude, batchArgs: ['--not-print'] });
    try {
      const error = (await groomContext('~', 'broken-agent', 'x', { sshRemoteConfig: { enabled: true, remoteId: remote.id }, store }).catch((e: unknown) => e)) as SshRunError;
      expect(error).toBeInstanceOf(SshRunError);
      expect(error.errorKind).toBeUndefined();
      expect(error.remoteExitCode).toBe(2);
      expect(error.stderr).toContain('expected --print');
    } finally {
      unregister();
    }
  });
});
