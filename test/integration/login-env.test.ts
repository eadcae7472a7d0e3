import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { attachDetached, startDetached } from '../../src/detached/index.js';
import { runWithSsh } from '../../src/exec/index.js';
import { testConnection } from '../../src/test-connection/index.js';
import { ALL_SHELLS, type TestbedUser, type TestShell } from '../testbed/index.js';
import { eventually, processesWith, remoteSetup, userFor } from '../exec/testbed-helpers.js';

const tb = inject('testbed');
const suffix = randomBytes(4).toString('hex');
// Unique names: other test files share these users' homes (and run at the same time).
const AGENT = `swle-agent-${suffix}`;
const BIN = `swle-bin-${suffix}`;
const VAR = `SWLE_VAR_${suffix}`;
// Present only while the blocking case runs, so the appended block blocks nothing else.
const BLOCK_FILE = `swle-block-${suffix}`;
// A sleep nobody else runs, so the check for leftovers cannot see another test's processes.
const BLOCK_SECONDS = 613;
// Quotes, `$` and a backslash: each shell's own syntax must produce exactly these bytes.
const VALUE = `it's "q" $x \\ end`;
const RUN_DIR = `swle-runs-${suffix}`;

/**
 * The login file each shell reads as a login shell and nothing else reads (sshd's
 * non-interactive sessions do not), and the block appended to it in that shell's syntax:
 * noise on stdout and stderr, a `read` that must not eat ssh's stdin, the variable, the PATH
 * entry, and a `sleep` while BLOCK_FILE exists.
 */
function loginFile(shell: TestShell): { file: string; block: string } {
  const noise = 'echo swle-noise-out; echo swle-noise-err >&2';
  switch (shell) {
    case 'bash':
      // The testbed gives bash a ~/.bash_profile, which bash reads instead of ~/.profile.
      return { file: '.bash_profile', block: posixBlock(noise) };
    case 'zsh':
      return { file: '.zprofile', block: posixBlock(noise) };
    case 'fish':
      return {
        file: '.config/fish/config.fish',
        block: [
          'if status is-login',
          `  ${noise.replace('; ', '\n  ')}`,
          '  read x',
          `  set -gx ${VAR} 'it\\'s "q" $x \\\\ end'`,
          `  set -gx PATH $HOME/${BIN} $PATH`,
          `  test -f $HOME/${BLOCK_FILE}; and sleep ${BLOCK_SECONDS}`,
          'end',
        ].join('\n'),
      };
    case 'tcsh':
      return {
        file: '.login',
        block: [
          'echo swle-noise-out',
          // tcsh has no `>&2`: `>&` sends stdout and stderr to the file.
          'echo swle-noise-err >& /dev/stderr',
          'set x = $<',
          `setenv ${VAR} 'it'"'"'s "q" $x \\ end'`,
          `setenv PATH "$HOME/${BIN}:$PATH"`,
          `if ( -f ~/${BLOCK_FILE} ) sleep ${BLOCK_SECONDS}`,
        ].join('\n'),
      };
    default:
      // dash, mksh and busybox ash read /etc/profile and ~/.profile.
      return { file: '.profile', block: posixBlock(noise) };
  }
}

function posixBlock(noise: string): string {
  return [noise, 'read x', `${VAR}='it'\\''s "q" $x \\ end'; export ${VAR}`, `PATH="$HOME/${BIN}:$PATH"; export PATH`, `[ -f "$HOME/${BLOCK_FILE}" ] && sleep ${BLOCK_SECONDS}`, ''].join('\n');
}

function chownLikeHome(user: TestbedUser, file: string): void {
  const { uid, gid } = fs.statSync(user.home);
  fs.chownSync(file, uid, gid);
}

describe.skipIf(!tb)("remoteEnvironment: 'login' on the real sshd, one user per login shell", () => {
  const info = tb!;
  // Original content of every login file touched, or null when the test created it.
  const backups = new Map<string, string | null>();

  beforeAll(() => {
    for (const shell of ALL_SHELLS) {
      const user = userFor(info, shell);
      const { file, block } = loginFile(shell);
      const target = path.join(user.home, file);
      if (!backups.has(target)) backups.set(target, fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : null);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.appendFileSync(target, `\n${block}\n`);
      chownLikeHome(user, target);
      const bin = path.join(user.home, BIN);
      fs.mkdirSync(bin, { recursive: true, mode: 0o755 });
      chownLikeHome(user, bin);
      const agent = path.join(bin, AGENT);
      fs.writeFileSync(agent, `#!/bin/sh\nprintf args:; for a; do printf '[%s]' "$a"; done; printf '|var:%s|env:%s|stdin:' "$${VAR}" "$SWLE_MINE"; cat\nprintf 'to-stderr\\n' >&2\n`, { mode: 0o755 });
      chownLikeHome(user, agent);
    }
  });
  afterAll(() => {
    for (const [target, content] of backups) {
      if (content === null) fs.rmSync(target, { force: true });
      else fs.writeFileSync(target, content);
    }
    for (const user of info.users) {
      fs.rmSync(path.join(user.home, BIN), { recursive: true, force: true });
      fs.rmSync(path.join(user.home, BLOCK_FILE), { force: true });
      fs.rmSync(path.join(user.home, RUN_DIR), { recursive: true, force: true });
    }
  });

  describe.concurrent.each(ALL_SHELLS)('%s login shell', (shell) => {
    it('runs the agent found only via the login PATH, with the login variable, byte-exact and without login noise; default: agent-not-found', async () => {
      const user = userFor(info, shell);
      const { store, agentSsh } = remoteSetup(info, user);
      const config = { command: AGENT, args: ['a b', "it's", '', '$x'], cwd: '~', prompt: 'prompt\non stdin', customEnvVars: { SWLE_MINE: 'mine' } };
      const login = await runWithSsh(config, agentSsh, store, { remoteEnvironment: 'login', promptStdinThreshold: 1 });
      expect(login).toMatchObject({
        remoteExitCode: 0,
        stdout: `args:[a b][it's][][$x]|var:${VALUE}|env:mine|stdin:prompt\non stdin`,
        stderr: 'to-stderr\n',
      });
      expect(login.errorKind).toBeUndefined();
      expect(`${login.loginOutput.stdout}${login.loginOutput.stderr}`).not.toContain('swle-noise');

      const plain = await runWithSsh(config, agentSsh, store, { promptStdinThreshold: 1 });
      expect(plain).toMatchObject({ errorKind: 'agent-not-found', exitCode: 127, remoteStarted: false });
    });

    it('testConnection says which environment finds the agent', async () => {
      const { remote } = remoteSetup(info, userFor(info, shell));
      const plain = await testConnection(remote, AGENT);
      expect(plain).toMatchObject({ success: true, errorKind: 'agent-not-found', details: { agentAvailable: false, agentFoundBy: null } });
      const login = await testConnection(remote, AGENT, { remoteEnvironment: 'login' });
      expect(login).toMatchObject({ success: true, details: { agentAvailable: true, agentPath: path.join(userFor(info, shell).home, BIN, AGENT), agentFoundBy: 'login' } });
      expect(login.errorKind).toBeUndefined();
      // An agent on sshd's own PATH is found without the login environment.
      const sh = await testConnection(remote, 'sh', { remoteEnvironment: 'login' });
      expect(sh.details).toMatchObject({ agentAvailable: true, agentFoundBy: 'path' });
    });
  });

  describe.concurrent.each(['bash', 'tcsh'] as const)('%s login shell, detached', (shell) => {
    it('startDetached runs the agent in the login environment', async () => {
      const user = userFor(info, shell);
      const { store, agentSsh } = remoteSetup(info, user);
      const config = { command: AGENT, args: ['d'], cwd: '~', prompt: 'p', customEnvVars: { SWLE_MINE: 'm' } };
      const run = await startDetached(config, agentSsh, store, { remoteEnvironment: 'login', runDir: `~/${RUN_DIR}`, promptStdinThreshold: 0 });
      let stdout = '';
      const attached = await attachDetached(run, store, { runDir: `~/${RUN_DIR}`, onStdout: (text) => (stdout += text) });
      expect(attached).toMatchObject({ state: 'exited', exitCode: 0 });
      expect(stdout).toBe(`args:[d]|var:${VALUE}|env:m|stdin:p`);
    });
  });

  describe.each(ALL_SHELLS)('%s login shell', (shell) => {
    it('a blocking login file ends within the bound as login-env-timeout, and its sleep is gone', async () => {
      const user = userFor(info, shell);
      const { store, agentSsh } = remoteSetup(info, user);
      const block = path.join(user.home, BLOCK_FILE);
      fs.writeFileSync(block, '');
      try {
        const result = await runWithSsh({ command: AGENT, args: [], cwd: '~' }, agentSsh, store, { remoteEnvironment: { mode: 'login', timeoutSeconds: 2 } });
        expect(result).toMatchObject({ errorKind: 'login-env-timeout', remoteStarted: false, stdout: '' });
        expect(result.errorMessage).toContain('did not finish within 2 s');
        expect(result.hint).toContain('timeoutSeconds');
        expect(result.durationMs).toBeGreaterThanOrEqual(2_000);
        expect(result.durationMs).toBeLessThan(8_000);
        expect(await eventually(() => processesWith(`sleep ${BLOCK_SECONDS}`).length === 0, 3_000)).toBe(true);
      } finally {
        fs.rmSync(block, { force: true });
      }
    });
  });
});
