import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { parseSshRemoteConfig, parseSshSpawnWrapConfig } from '../../src/schemas/index.js';
import { buildRemoteScript, wrapForRemote } from '../../src/wrap/index.js';
import { liveGroupMembers, waitGroupGone } from '../pool/proc-groups.js';

const remote = parseSshRemoteConfig({ id: 'r', host: 'h.example', username: 'u' });
const base = { sshPath: 'ssh', localCwd: '/', shell: 'posix' as const, statusMarker: 'tok1', lifeline: true };

// The /bin/sh flavours the script must work under (macOS's sh is bash; Debian's is dash).
const SHELLS = [['dash'], ['bash'], ['mksh'], ['busybox', 'sh']].filter(([bin]) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0);

/** Runs the wrapped script as sshd would: in its own session (setsid), fed `stdin`, stdin left open until `closeAfterMs`. */
function runScript(shell: string[], script: string, stdin: string, closeAfterMs: number | null) {
  const child = spawn(shell[0]!, [...shell.slice(1), '-c', script], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.resume();
  child.stdin.write(stdin);
  if (closeAfterMs !== null) setTimeout(() => child.stdin.end(), closeAfterMs);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exited, stdout: () => stdout };
}

describe('lifeline (RemoteWrapOptions.lifeline)', () => {
  it('frames a stdin prompt by its UTF-8 byte length after the env lines, and marks the result', () => {
    const prompt = 'é'.repeat(3000);
    const wrapped = wrapForRemote(parseSshSpawnWrapConfig({ command: 'agent', args: [], cwd: '~', prompt }), remote, undefined, { ...base, secretEnv: { KEY: 'v' } });
    expect(wrapped.lifeline).toBe(true);
    expect(wrapped.stdin).toBe(`v\n6000\n${prompt}`);
  });

  it('is off with keepStdin (the agent reads ssh stdin itself) and for Windows remotes; lifeline: false keeps the raw contract', () => {
    const config = parseSshSpawnWrapConfig({ command: 'agent', args: [], cwd: '~', prompt: 'x'.repeat(5000) });
    for (const wrapped of [
      wrapForRemote(config, remote, undefined, { ...base, keepStdin: true }),
      wrapForRemote(config, parseSshRemoteConfig({ id: 'w', host: 'w.example', remotePlatform: 'windows' }), undefined, { ...base, shell: 'any' }),
      wrapForRemote(config, remote, undefined, { ...base, lifeline: false }),
    ]) {
      expect(wrapped.lifeline).toBeUndefined();
      expect(wrapped.stdin).toBe('x'.repeat(5000));
    }
  });

  it('the script refuses a lifeline whose command would read ssh stdin directly', () => {
    expect(() => buildRemoteScript({ command: 'a', args: [], lifeline: true, commandStdin: 'inherit' })).toThrow(SshWrapError);
    expect(() => buildRemoteScript({ command: 'a', args: [], commandStdin: 'framed' })).toThrow(SshWrapError);
  });

  it.each(SHELLS)('under %s: the command gets exactly the framed prompt and the env, and ends normally while stdin stays open', async (...shell) => {
    const prompt = `line1\nü😀 ${'z'.repeat(70_000)}\n\n`;
    const config = parseSshSpawnWrapConfig({ command: 'sh', args: ['-c', 'printf "%s|" "$KEY"; cksum'], cwd: '/', prompt });
    const wrapped = wrapForRemote(config, remote, undefined, { ...base, secretEnv: { KEY: 'v\n2' }, promptStdinThreshold: 10, remotePath: 'inherit' });
    const run = runScript(shell, wrapped.args.at(-1)!, wrapped.stdin!, null);
    expect(await run.exited).toBe(0);
    const expected = spawnSync('cksum', { input: Buffer.from(prompt) }).stdout.toString();
    expect(run.stdout()).toContain(`v\n2|${expected}`);
    run.child.stdin.destroy();
  });

  it.each(SHELLS)('under %s: EOF on stdin stops the whole process group, whether the command reads its stdin or not', async (...shell) => {
    for (const agent of ['cat >/dev/null; sleep 313', 'sleep 313']) {
      const marker = `swlt${randomBytes(4).toString('hex')}`;
      const config = parseSshSpawnWrapConfig({ command: 'sh', args: ['-c', agent, marker], cwd: '/', prompt: 'p'.repeat(100_000) });
      const wrapped = wrapForRemote(config, remote, undefined, { ...base, promptStdinThreshold: 10, remotePath: 'inherit' });
      const run = runScript(shell, wrapped.args.at(-1)!, wrapped.stdin!, 1_000);
      const pgid = run.child.pid!;
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(liveGroupMembers(pgid).length).toBeGreaterThanOrEqual(3); // script, watcher, agent (+ sleep)
      try {
        expect(await waitGroupGone(pgid, 4_000)).toBe(true);
      } finally {
        for (const pid of liveGroupMembers(pgid)) process.kill(pid, 'SIGKILL');
      }
      await run.exited;
    }
  }, 20_000);
});
