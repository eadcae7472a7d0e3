import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  attachDetached,
  cancelDetached,
  detachedStatus,
  listDetached,
  pruneDetached,
  startDetached,
  type DetachedRun,
} from '../../src/detached/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { runWithSsh } from '../../src/exec/index.js';
import { eventually, isAlive, processesWith, recordingExecutor, remoteSetup, userFor } from '../exec/testbed-helpers.js';
import { ALL_SHELLS, remoteFor, startTestbed, type TestbedInfo } from '../testbed/index.js';
import { parentOf } from '../testbed/procs.js';

const tb = inject('testbed');
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LINES = 50;

// The agent: reads the prompt's first line from stdin, then prints a known pattern on both
// streams over ~5 s (multi-byte characters included, so a chunk can split a UTF-8 sequence),
// reports the length of its secret (never the value) and exits 7.
const AGENT = [
  'IFS= read -r p',
  'i=0',
  `while [ $i -lt ${LINES} ]; do printf 'o%04d-%s-é✓\\n' $i "$p"; printf 'e%04d\\n' $i >&2; i=$((i+1)); sleep 0.1; done`,
  'printf "secret-length=%s\\n" "${#SW_TOKEN}"',
  'exit 7',
].join('\n');

function expectedStdout(prompt: string, secret: string): string {
  let text = '';
  for (let i = 0; i < LINES; i++) text += `o${String(i).padStart(4, '0')}-${prompt}-é✓\n`;
  return `${text}secret-length=${secret.length}\n`;
}

function expectedStderr(): string {
  let text = '';
  for (let i = 0; i < LINES; i++) text += `e${String(i).padStart(4, '0')}\n`;
  return text;
}

/** Starts a run from a separate node process, then SIGKILLs that process. */
async function startFromChild(info: TestbedInfo, shell: string, config: object, options: object, secret: string): Promise<DetachedRun> {
  const { remote } = remoteSetup(info, userFor(info, shell));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'test/detached/starter.ts')], {
    cwd: REPO,
    env: { ...process.env, SW_STARTER: JSON.stringify({ remote, config, options }), SW_STARTER_SECRET: secret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const started = await eventually(() => out.includes('\n'), 30_000);
  child.kill('SIGKILL');
  await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));
  if (!started) throw new Error(`starter did not report a run: ${err}`);
  return JSON.parse(out.split('\n')[0]!) as DetachedRun;
}

/**
 * SIGKILLs the per-connection sshd process ("sshd: <testbed user>@notty") right above the remote
 * attach loop of this run. The run's own wrapper (parent: init) and the local ssh (parent: node)
 * carry the run id too, but have no such sshd within 3 hops; only the testbed user's is matched,
 * never the session this test suite itself may run in.
 */
function killServingSshd(runId: string, userName: string): boolean {
  for (const pid of processesWith(runId)) {
    let current: number | null = pid;
    for (let hops = 0; current && current > 1 && hops < 3; hops++) {
      const cmdline = readCmdline(current);
      if (new RegExp(`^sshd(-session)?: ${userName}@notty`).test(cmdline)) {
        process.kill(current, 'SIGKILL');
        return true;
      }
      current = parentOf(current);
    }
  }
  return false;
}

function readCmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

function runDirOf(info: TestbedInfo, shell: string, runId: string): string {
  return path.join(userFor(info, shell).home, '.sshwrap/runs', runId);
}

describe.skipIf(!tb)('detached runs against the real sshd', () => {
  const info = tb!;
  // The testbed users are shared: leave no run directory behind in their homes.
  afterAll(() => {
    for (const user of info.users) fs.rmSync(path.join(user.home, '.sshwrap'), { recursive: true, force: true });
  });

  describe.each(ALL_SHELLS)('%s login shell', (shell) => {
    const { store } = remoteSetup(info, userFor(info, shell));

    it('start from a process that is then SIGKILLed, attach, cut the connection twice mid-stream (ssh, then sshd\'s per-connection process): output exact, exit status', { timeout: 90_000 }, async () => {
      const secret = `sk-${randomBytes(12).toString('hex')}`;
      const prompt = `prompt ${randomBytes(4).toString('hex')} 'q' "dq" $HOME`;
      // promptStdinThreshold 0: the prompt goes over stdin and through the run dir's prompt file.
      const run = await startFromChild(info, shell, { command: '/bin/sh', args: ['-c', AGENT], cwd: '~', prompt }, { promptStdinThreshold: 0 }, secret);
      expect(run.remotePid).toBeGreaterThan(1);
      expect(run.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      // The run survived its starter, and neither the secret nor the prompt is on the remote disk.
      expect(isAlive(run.remotePid)).toBe(true);
      const dir = runDirOf(info, shell, run.runId);
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
      expect(fs.existsSync(path.join(dir, 'prompt'))).toBe(false);
      for (const file of fs.readdirSync(dir)) expect(fs.readFileSync(path.join(dir, file), 'utf8')).not.toContain(secret);
      expect(processesWith(secret)).toEqual([]);

      const executor = recordingExecutor();
      let stdout = '';
      let cuts = 0;
      const result = await attachDetached(run, store, {
        executor,
        reconnect: { attempts: 5, maxDelayMs: 1000 },
        onStdout: (text) => {
          stdout += text;
          // Mid-stream: SIGKILL the attach's ssh; the attach must reconnect and resume.
          if (cuts === 0 && stdout.length > 300) {
            cuts = 1;
            executor.children.at(-1)!.kill('SIGKILL');
          }
          // Later, from the server side: SIGKILL sshd's process serving the attach.
          if (cuts === 1 && stdout.length > 1200 && killServingSshd(run.runId, userFor(info, shell).name)) cuts = 2;
        },
      });
      expect(cuts).toBe(2);
      expect(executor.children.length).toBeGreaterThanOrEqual(3);
      expect(result.state).toBe('exited');
      expect(result.exitCode).toBe(7);
      expect(result.stdout).toBe(expectedStdout(prompt, secret));
      expect(stdout).toBe(result.stdout);
      expect(result.stderr).toBe(expectedStderr());
      expect(result.stdoutOffset).toBe(Buffer.byteLength(result.stdout));
      expect(result.stderrOffset).toBe(Buffer.byteLength(result.stderr));

      const status = await detachedStatus(run, store);
      expect(status).toMatchObject({ runId: run.runId, state: 'exited', exitCode: 7, remotePid: run.remotePid, startedAt: run.startedAt });
      expect(status.stdoutBytes).toBe(result.stdoutOffset);
      expect(status.endedAt).toMatch(/Z$/);
    });

    it('cancel TERMs the process group: exited 143 SIGTERM, nothing left running', { timeout: 60_000 }, async () => {
      const sleep = `3000.${randomBytes(4).readUInt32BE(0)}`;
      const run = await startDetached({ command: '/bin/sh', args: ['-c', `sleep ${sleep}; echo done`], cwd: '~' }, { enabled: true, remoteId: `testbed-${userFor(info, shell).name}` }, store);
      // The wrapper, the agent's sh and sleep itself all carry the unique argument.
      expect(await eventually(() => processesWith(`sleep ${sleep}`).length > 0, 5_000)).toBe(true);
      expect((await detachedStatus(run, store)).state).toBe('running');
      const status = await cancelDetached(run, store, { graceMs: 3000 });
      expect(status).toMatchObject({ state: 'exited', exitCode: 143, remoteSignal: 'SIGTERM' });
      expect(processesWith(`sleep ${sleep}`)).toEqual([]);
      expect(isAlive(run.remotePid)).toBe(false);
    });
  });

  const shell = 'bash';
  const user = userFor(info, shell);
  const { store, agentSsh } = remoteSetup(info, user);

  it('an agent that ignores TERM is KILLed after graceMs and reads exited 137', { timeout: 60_000 }, async () => {
    const run = await startDetached({ command: '/bin/sh', args: ['-c', "trap '' TERM; sleep 300"], cwd: '~' }, agentSsh, store);
    const began = Date.now();
    const status = await cancelDetached(run, store, { graceMs: 1000 });
    expect(Date.now() - began).toBeGreaterThanOrEqual(1000);
    expect(status).toMatchObject({ state: 'exited', exitCode: 137, remoteSignal: 'SIGKILL' });
    expect(isAlive(run.remotePid)).toBe(false);
  });

  it('a run whose process vanished without an exit record is lost', { timeout: 60_000 }, async () => {
    const run = await startDetached({ command: 'sleep', args: ['300'], cwd: '~' }, agentSsh, store);
    process.kill(-run.remotePid, 'SIGKILL');
    expect(await eventually(() => !isAlive(run.remotePid), 5_000)).toBe(true);
    expect(await detachedStatus(run, store)).toMatchObject({ state: 'lost', remotePid: run.remotePid });
    expect((await attachDetached(run, store)).state).toBe('lost');
  });

  it('aborting an attach detaches (the run goes on); a second attach from the offsets continues exactly; two attaches at once', { timeout: 60_000 }, async () => {
    const run = await startDetached({ command: '/bin/sh', args: ['-c', AGENT], cwd: '~', prompt: 'p1' }, agentSsh, store, { promptStdinThreshold: 0 });
    const controller = new AbortController();
    let first = '';
    const parallel = attachDetached(run, store);
    const detached = await attachDetached(run, store, {
      signal: controller.signal,
      onStdout: (text) => {
        first += text;
        if (first.length > 200) controller.abort();
      },
    });
    expect(detached.state).toBe('running');
    expect(detached.stdoutOffset).toBe(Buffer.byteLength(first));
    expect((await detachedStatus(run, store)).state).toBe('running');
    const rest = await attachDetached(run, store, { fromOffset: { stdout: detached.stdoutOffset, stderr: detached.stderrOffset } });
    expect(rest.state).toBe('exited');
    expect(first + rest.stdout).toBe(expectedStdout('p1', ''));
    expect(detached.stderr + rest.stderr).toBe(expectedStderr());
    const all = await parallel;
    expect(all).toMatchObject({ state: 'exited', exitCode: 7, stdout: expectedStdout('p1', ''), stderr: expectedStderr() });
  });

  it('list shows the runs; prune removes finished ones only, never a running one', { timeout: 60_000 }, async () => {
    const runDir = `~/.sshwrap/prune-${randomBytes(4).toString('hex')}`;
    const done = await startDetached({ command: 'true', args: [], cwd: '~' }, agentSsh, store, { runDir });
    const running = await startDetached({ command: 'sleep', args: ['300'], cwd: '~' }, agentSsh, store, { runDir });
    expect(await eventually(() => fs.existsSync(path.join(user.home, runDir.slice(2), done.runId, 'exit')), 5_000)).toBe(true);
    const listed = await listDetached(agentSsh.remoteId, store, { runDir });
    expect(listed.map((run) => [run.runId, run.state])).toEqual(
      [
        [done.runId, 'exited'],
        [running.runId, 'running'],
      ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    );
    // A day old at least: nothing is.
    expect(await pruneDetached(agentSsh.remoteId, store, { runDir, olderThanMs: 86_400_000 })).toEqual({ removed: [] });
    expect(await pruneDetached(agentSsh.remoteId, store, { runDir, olderThanMs: 0 })).toEqual({ removed: [done.runId] });
    expect((await listDetached(agentSsh.remoteId, store, { runDir })).map((run) => run.runId)).toEqual([running.runId]);
    await cancelDetached(running, store, { runDir, graceMs: 1000, });
    expect(await pruneDetached(agentSsh.remoteId, store, { runDir, olderThanMs: 0 })).toEqual({ removed: [running.runId] });
  });

  it('an unreachable remote: bounded reconnects, then DetachedRunError connection; a throwing callback ends the attach with its error', { timeout: 60_000 }, async () => {
    const closed = remoteFor(info, user, { port: 1, id: 'closed-port' });
    const unreachable = createMemoryStoreAdapter([closed]);
    const began = Date.now();
    await expect(attachDetached({ runId: 'r-x', remoteId: 'closed-port' }, unreachable, { reconnect: { attempts: 2, maxDelayMs: 200 } })).rejects.toMatchObject({
      name: 'DetachedRunError',
      reason: 'connection',
      stdoutOffset: 0,
    });
    expect(Date.now() - began).toBeLessThan(20_000);
    const run = await startDetached({ command: '/bin/sh', args: ['-c', 'echo boom; sleep 1'], cwd: '~' }, agentSsh, store);
    const oops = new Error('callback failed');
    await expect(attachDetached(run, store, { onStdout: () => { throw oops; } })).rejects.toBe(oops);
    expect((await detachedStatus(run, store)).state).not.toBe('lost');
  });

  it('an unknown run is not-found; a missing agent is not-started', { timeout: 60_000 }, async () => {
    await expect(detachedStatus({ runId: 'r-no-such-run', remoteId: agentSsh.remoteId }, store)).rejects.toMatchObject({ reason: 'not-found' });
    await expect(attachDetached({ runId: 'r-no-such-run', remoteId: agentSsh.remoteId }, store)).rejects.toMatchObject({ reason: 'not-found' });
    await expect(startDetached({ command: 'sshwrap-no-such-agent', args: [], cwd: '~' }, agentSsh, store)).rejects.toMatchObject({ reason: 'not-started' });
  });
});

describe.skipIf(!tb)('detached runs through the CLI', () => {
  const info = tb!;
  const MAIN = path.join(REPO, 'src/cli/main.ts');
  const user = userFor(info, 'bash');
  const { remote } = remoteSetup(info, user);
  const tmp = fs.mkdtempSync(path.join(REPO, 'node_modules/.sw-detached-cli-'));
  const remotes = path.join(tmp, 'remotes.json');
  fs.writeFileSync(remotes, JSON.stringify([remote]));
  const runDir = `~/.sshwrap/cli-${randomBytes(4).toString('hex')}`;

  function cli(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: REPO, env: { ...process.env, SSHWRAP_DEBUG: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end(stdin);
    const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    return new Promise((resolve) =>
      child.on('close', (code) => {
        clearTimeout(killer);
        resolve({ code, stdout, stderr });
      }),
    );
  }
  const common = ['--remotes', remotes, '--run-dir', runDir];

  it('start → ps → logs → attach (the run exit status) → kill → prune, with the documented exit codes', { timeout: 120_000 }, async () => {
    const started = await cli(['start', remote.id, ...common, '--json', '--', '/bin/sh', '-c', 'echo one; echo two >&2; sleep 2; echo three; exit 5']);
    expect(started.code, started.stderr).toBe(0);
    const run = JSON.parse(started.stdout) as DetachedRun;
    const ps = await cli(['ps', remote.id, ...common]);
    expect(ps.code).toBe(0);
    expect(ps.stdout).toMatch(new RegExp(`^${run.runId}\\trunning\\t-\\t${run.remotePid}\\t`, 'm'));
    const attached = await cli(['attach', remote.id, run.runId, ...common]);
    expect(attached).toMatchObject({ code: 5, stdout: 'one\nthree\n', stderr: 'two\n' });
    const logs = await cli(['logs', remote.id, run.runId, ...common]);
    expect(logs).toMatchObject({ code: 0, stdout: 'one\nthree\n', stderr: 'two\n' });
    const resumed = await cli(['attach', remote.id, run.runId, ...common, '--from-stdout', '4', '--from-stderr', '4']);
    expect(resumed).toMatchObject({ code: 5, stdout: 'three\n', stderr: '' });

    const sleeper = await cli(['start', remote.id, ...common, '--', 'sleep', '300']);
    expect(sleeper.code).toBe(0);
    const sleeperId = sleeper.stdout.trim();
    const detach = await cli(['attach', remote.id, sleeperId, ...common, '--timeout', '1']);
    expect(detach.code).toBe(124);
    expect(detach.stderr).toContain(`--from-stdout 0 --from-stderr 0`);
    const killed = await cli(['kill', remote.id, sleeperId, ...common, '--grace', '2', '--json']);
    expect(killed.code).toBe(0);
    expect(JSON.parse(killed.stdout)).toMatchObject({ state: 'exited', exitCode: 143, remoteSignal: 'SIGTERM' });

    expect((await cli(['prune', remote.id, ...common])).code).toBe(2);
    const pruned = await cli(['prune', remote.id, ...common, '--older-than', '0', '--json']);
    expect(pruned.code).toBe(0);
    expect((JSON.parse(pruned.stdout) as { removed: string[] }).removed.sort()).toEqual([run.runId, sleeperId].sort());
    for (const command of ['attach', 'logs', 'kill', 'ps']) {
      const missing = await cli([command, remote.id, run.runId, ...common]);
      expect(missing.code, command).toBe(252);
    }
    expect((await cli(['start', remote.id, ...common, '--', 'sshwrap-no-such-agent'])).code).toBe(254);
    fs.rmSync(tmp, { recursive: true, force: true });
  });
});

describe.skipIf(!tb)('detached runs survive an sshd restart (private sshd)', () => {
  it('a run started, attached, then sshd restarted (sessions killed): the attach reconnects, output exact, exit status', { timeout: 120_000 }, async (ctx) => {
    const bed = await startTestbed({ users: 'current' });
    const runDir = `/tmp/sw-detached-restart-${randomBytes(4).toString('hex')}`;
    try {
      const remote = remoteFor(bed, bed.users[0]!);
      const store = createMemoryStoreAdapter([remote]);
      // The private bed logs in as the current user, whose own startup files run on every
      // login (a ~/.bashrc that waits on something hangs every session). Say so, visibly.
      const probe = await runWithSsh({ command: 'true', args: [], cwd: '~' }, { enabled: true, remoteId: remote.id }, store, { timeoutMs: 15_000 });
      if (probe.remoteExitCode !== 0) {
        const reason = `private sshd: a login as ${bed.users[0]!.name} does not answer within 15 s (${probe.errorKind ?? 'no exit status'}): check that user's shell startup files`;
        process.stderr.write(`\n!! SKIPPED ${reason}\n`);
        ctx.skip(reason);
      }
      const run = await startDetached({ command: '/bin/sh', args: ['-c', AGENT], cwd: '~', prompt: 'rs' }, { enabled: true, remoteId: remote.id }, store, { runDir, promptStdinThreshold: 0 });
      let stdout = '';
      let restarted: Promise<void> | undefined;
      const result = await attachDetached(run, store, {
        runDir,
        reconnect: { attempts: 8, maxDelayMs: 2000 },
        onStdout: (text) => {
          stdout += text;
          if (!restarted && stdout.length > 400) restarted = bed.restart();
        },
      });
      await restarted;
      expect(restarted).toBeDefined();
      expect(result).toMatchObject({ state: 'exited', exitCode: 7, stdout: expectedStdout('rs', ''), stderr: expectedStderr() });
    } finally {
      fs.rmSync(runDir, { recursive: true, force: true });
      await bed.stop();
    }
  });
});
