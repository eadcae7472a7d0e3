import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { buildKillScript, killRemoteProcessGroup } from '../../src/pool/kill-remote.js';
import { parseSshRemoteConfig } from '../../src/schemas/index.js';
import { anyShellCommand } from '../../src/wrap/index.js';
import { liveGroupMembers, waitGroupGone } from './proc-groups.js';


/**
 * An sh with two children in its own session and process group, like an sshd no-tty session.
 * Its parent is another sh that waits for it, so it is reaped at once (as sshd does) and a dead
 * group does not linger as a zombie while spawnSync blocks our event loop.
 */
async function startGroup(trapTerm = false): Promise<number> {
  const inner = `${trapTerm ? 'trap "" TERM; ' : ''}sleep 30 & sleep 30 & wait`;
  const outer = spawn('/bin/sh', ['-c', `setsid /bin/sh -c '${inner}' & echo $!; wait`], { stdio: ['ignore', 'pipe', 'ignore'] });
  outer.unref();
  const pid = await new Promise<number>((resolve) => outer.stdout!.once('data', (chunk) => resolve(Number(String(chunk).trim()))));
  (outer.stdout as unknown as { unref?: () => void }).unref?.();
  // `$!` is printed right after fork: wait until setsid ran and both children exist.
  const deadline = Date.now() + 5_000;
  while (liveGroupMembers(pid).length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  return pid;
}

/**
 * Every shell a remote's /bin/sh may be (the kill script runs under /bin/sh). busybox picks its
 * applet from argv, so ash runs as `busybox ash`. No filtering: a missing shell fails the test
 * (install them as .ci/run does) instead of quietly shrinking the list.
 */
const SHELLS: Array<[name: string, argv: string[]]> = [
  ['/bin/sh', ['/bin/sh']],
  ['dash', ['dash']],
  ['bash', ['bash']],
  ['mksh', ['mksh']],
  ['busybox ash', ['busybox', 'ash']],
];

describe('buildKillScript', () => {
  it.each(SHELLS)('TERMs the whole group under %s', async (_name, [program, ...programArgs]) => {
    const pgid = await startGroup();
    const result = spawnSync(program!, [...programArgs, '-c', buildKillScript(pgid, 'TERM', 2000)], { timeout: 10_000 });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe(0);
    expect(await waitGroupGone(pgid)).toBe(true);
  });

  it('escalates to KILL after the grace period (exit 4) and reports a missing group (exit 3)', async () => {
    const stubborn = await startGroup(true);
    // Let sh install its trap before signalling.
    spawnSync('sleep', ['0.2']);
    const started = Date.now();
    const result = spawnSync('/bin/sh', ['-c', buildKillScript(stubborn, 'TERM', 300)], { timeout: 10_000 });
    expect(result.status).toBe(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(await waitGroupGone(stubborn)).toBe(true);
    // A reaped child's pid: no process group of that id exists.
    const gone = spawnSync('true').pid;
    expect(spawnSync('/bin/sh', ['-c', buildKillScript(gone, 'TERM', 300)]).status).toBe(3);
  });

  it('survives the any-shell wrapping byte for byte', async () => {
    const pgid = await startGroup();
    const result = spawnSync('/bin/sh', ['-c', anyShellCommand(buildKillScript(pgid, 'KILL', 0))], { timeout: 10_000 });
    expect(result.status).toBe(0);
    expect(await waitGroupGone(pgid)).toBe(true);
  });
});

describe('killRemoteProcessGroup', () => {
  const remote = parseSshRemoteConfig({ id: 'r', host: 'h' });
  it.each([0, 1, -5, 2.5, Number.NaN])('refuses pid %s (kill -1 would hit every process of the user)', async (pid) => {
    await expect(killRemoteProcessGroup(remote, pid)).rejects.toBeInstanceOf(SshWrapError);
  });

  it('refuses an unknown signal name', async () => {
    await expect(killRemoteProcessGroup(remote, 1234, undefined, 'TERM; rm' as never)).rejects.toBeInstanceOf(SshWrapError);
  });

  it('reports a failed connection as data, bounded in time', async () => {
    const unreachable = parseSshRemoteConfig({ id: 'r', host: '127.0.0.1', port: 1, customOptions: { ConnectTimeout: '2', UserKnownHostsFile: '/tmp/sshwrap-test-unused-known_hosts' } });
    const result = await killRemoteProcessGroup(unreachable, 4242);
    expect(result.outcome).toBe('failed');
    expect(result.viaMaster).toBe(false);
    expect(result.stderr).toMatch(/refused|connect/i);
  });
});
