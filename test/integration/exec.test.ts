import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { runWithSsh, spawnWithSsh } from '../../src/exec/index.js';
import { eventually, isAlive, processesWith, recordingExecutor, remoteSetup, userFor } from '../exec/testbed-helpers.js';

const tb = inject('testbed');

/** A sleep whose command line is unique to this test, so /proc tells whether it still runs. */
function uniqueSleep(): string {
  return `3000.${randomBytes(4).readUInt32BE(0)}`;
}

describe.skipIf(!tb)('runWithSsh against the real sshd', () => {
  const info = tb!;

  describe.each(['bash', 'fish', 'tcsh'])('%s login shell', (shell) => {
    const { store, agentSsh } = remoteSetup(info, userFor(info, shell));

    it.each([0, 1, 255])('remote exit %i is the exit code, with no errorKind', async (code) => {
      const result = await runWithSsh({ command: '/bin/sh', args: ['-c', `echo out; echo err >&2; exit ${code}`], cwd: '~' }, agentSsh, store);
      expect(result).toMatchObject({ exitCode: code, remoteExitCode: code, remoteStarted: true, stdout: 'out\n', stderr: 'err\n', connectionLost: false });
      expect(result.errorKind).toBeUndefined();
      expect(result.remotePid).toBeGreaterThan(1);
    });
  });

  const user = userFor(info, 'bash');
  const { store, agentSsh } = remoteSetup(info, user);

  it('argv, cwd and env arrive byte-exact; stderr carries no marker residue', async () => {
    const args = ['a b', '$HOME', "it's", '-n', '', 'ünï\ncode'];
    const result = await runWithSsh({ command: info.argdump, args, cwd: '/tmp', customEnvVars: { SW_X: 'v a l' } }, agentSsh, store);
    const dump = JSON.parse(result.stdout);
    expect(dump.argv).toEqual(args);
    expect(dump.cwd).toBe('/tmp');
    expect(dump.env.SW_X).toBe('v a l');
    expect(result.stderr).toBe('');
  });

  it('a remote command killed by a signal reports 128+N and the signal name', async () => {
    const result = await runWithSsh({ command: '/bin/sh', args: ['-c', 'kill -KILL $$'], cwd: '~' }, agentSsh, store);
    expect(result).toMatchObject({ remoteStarted: true, remoteExitCode: 137, remoteSignal: 'SIGKILL', exitCode: 137 });
    expect(result.errorKind).toBeUndefined();
    // No "Killed" notice from the remote wrapper shell mixed into the command's stderr.
    expect(result.stderr).toBe('');
  });

  it('a remote script killed from outside (no exit status) is connectionLost, not an ssh error', async () => {
    const result = await runWithSsh({ command: '/bin/sh', args: ['-c', 'kill -KILL $PPID; sleep 2'], cwd: '~' }, agentSsh, store);
    expect(result).toMatchObject({ remoteStarted: true, connectionLost: true, exitCode: 255 });
    expect(result.remoteExitCode).toBeUndefined();
    expect(result.errorKind).toBeUndefined();
  });

  it('a missing binary is agent-not-found (exit 127), a missing cwd is cwd-missing', async () => {
    const missing = await runWithSsh({ command: 'sshwrap-no-such-agent', args: [], cwd: '~' }, agentSsh, store);
    expect(missing).toMatchObject({ exitCode: 127, remoteStarted: false, errorKind: 'agent-not-found' });
    expect(missing.hint).toMatch(/full path/);
    const cwd = await runWithSsh({ command: 'true', args: [], cwd: '/sshwrap/no/such/dir' }, agentSsh, store);
    expect(cwd).toMatchObject({ remoteStarted: false, errorKind: 'cwd-missing' });
    expect(cwd.errorMessage).toContain('/sshwrap/no/such/dir');
  });

  it('a remote command that itself exits 127 after starting is its exit code, not agent-not-found', async () => {
    const result = await runWithSsh({ command: '/bin/sh', args: ['-c', 'sshwrap-inner-missing'], cwd: '~' }, agentSsh, store);
    expect(result).toMatchObject({ remoteStarted: true, remoteExitCode: 127 });
    expect(result.errorKind).toBeUndefined();
  });

  it('abort stops the local ssh and the remote command', async () => {
    const executor = recordingExecutor();
    const controller = new AbortController();
    const sleep = uniqueSleep();
    const result = await runWithSsh({ command: '/bin/sh', args: ['-c', `echo ready; exec sleep ${sleep}`], cwd: '~' }, agentSsh, store, {
      executor,
      signal: controller.signal,
      onStdout: (text) => text.includes('ready') && controller.abort(),
      timeoutMs: 30_000,
    });
    expect(result).toMatchObject({ aborted: true, timedOut: false, remoteStarted: true });
    expect(result.errorKind).toBeUndefined();
    expect(isAlive(executor.children[0]!.pid)).toBe(false);
    expect(await eventually(() => processesWith(`sleep ${sleep}`).length === 0)).toBe(true);
  });

  it('timeoutMs stops a running command the same way', async () => {
    const executor = recordingExecutor();
    const sleep = uniqueSleep();
    const started = Date.now();
    const result = await runWithSsh({ command: 'sleep', args: [sleep], cwd: '~' }, agentSsh, store, { executor, timeoutMs: 1_500 });
    expect(result).toMatchObject({ timedOut: true, remoteStarted: true });
    expect(result.errorKind).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(isAlive(executor.children[0]!.pid)).toBe(false);
    expect(await eventually(() => processesWith(`sleep ${sleep}`).length === 0)).toBe(true);
  });

  it('a 10 MB prompt reaches the remote stdin byte-exact', async () => {
    // Mixed 1-4 byte UTF-8 so any chunking bug that splits a character shows up in the hash.
    const unit = 'sshwrap 10 MB prompt: ünïcødé ✓ 😀 \u0001\t"quotes" $HOME `cmd` \\ \n';
    const prompt = unit.repeat(Math.ceil((10 * 1024 * 1024) / Buffer.byteLength(unit)));
    const bytes = Buffer.byteLength(prompt);
    const sha = createHash('sha256').update(prompt, 'utf8').digest('hex');
    const script = 'f=$(mktemp) || exit 9; cat >"$f"; wc -c <"$f" | tr -d " "; sha256sum <"$f" | cut -d" " -f1; rm -f "$f"';

    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 10);
    const started = performance.now();
    const result = await runWithSsh({ command: '/bin/sh', args: ['-c', script], cwd: '~', prompt }, agentSsh, store, { timeoutMs: 60_000 });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);

    expect(result.wrapped.prompt).toBeUndefined(); // never forwarded as shell text
    expect(result.wrapped.args.at(-1)!.length).toBeLessThan(10_000); // went to stdin, not argv
    expect(result).toMatchObject({ remoteExitCode: 0, stderr: '' });
    expect(result.stdout.split('\n')).toEqual([String(bytes), sha, '']);
    const deltaMiB = (peakRss - rssBefore) / 1024 / 1024;
    console.info(`[sshwrap] 10 MB prompt: ${(bytes / 1024 / 1024).toFixed(1)} MiB in ${seconds.toFixed(2)} s, peak RSS delta ${deltaMiB.toFixed(1)} MiB`);
    // The prompt string is already in memory; stdin is streamed in 64 Ki-unit chunks and its
    // size is counted without encoding a copy, so the run adds ~1.5 MiB, not another 10.
    expect(deltaMiB).toBeLessThan(8);
  });

  it('spawnWithSsh hands back a live child with its stdin prompt delivered (framed: the lifeline keeps ssh stdin open)', async () => {
    const { child, wrapped, stdinWritten } = await spawnWithSsh({ command: '/bin/sh', args: ['-c', 'wc -c'], cwd: '~', prompt: 'x'.repeat(5000) }, agentSsh, store);
    expect(wrapped.stdin).toBe(`5000\n${'x'.repeat(5000)}`);
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr!.resume();
    const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    expect(await stdinWritten).toBeUndefined();
    expect(code).toBe(0);
    expect(out.trim()).toBe('5000');
  });

  it.each(['kill()', 'abort'])('spawnWithSsh: %s stops the remote process too; stderr carries no markers', async (how) => {
    const sleep = uniqueSleep();
    const controller = new AbortController();
    const { child } = await spawnWithSsh({ command: '/bin/sh', args: ['-c', `echo err >&2; echo ready; exec sleep ${sleep}`], cwd: '~' }, agentSsh, store, { signal: controller.signal });
    let err = '';
    let out = '';
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    // "ready" on stdout means the remote command runs (the local ssh argv holds the same words).
    expect(await eventually(() => out.includes('ready'), 10_000)).toBe(true);
    if (how === 'abort') controller.abort();
    else child.kill();
    await closed;
    expect(await eventually(() => processesWith(`sleep ${sleep}`).length === 0, 10_000)).toBe(true);
    expect(err).toBe('err\n');
  });

  it('ssh not installed → spawn-failed, nothing thrown', async () => {
    const result = await runWithSsh({ command: 'true', args: [], cwd: '~' }, agentSsh, store, { sshPath: '/nonexistent/ssh' });
    expect(result).toMatchObject({ errorKind: 'spawn-failed', exitCode: null, remoteStarted: false });
  });
});
