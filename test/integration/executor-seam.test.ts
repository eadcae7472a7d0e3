import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { nodeExecutor, runWithSsh, spawnWithSsh, type SpawnExecutor } from '../../src/exec/index.js';
import { ConnectionPool } from '../../src/pool/index.js';
import { clearSshConfigCache, describeEffectiveRemote, resolveSshConfigHost } from '../../src/resolve/index.js';
import { parseSshRemoteConfig } from '../../src/schemas/index.js';
import { eventually, processesWith, remoteSetup, userFor } from '../exec/testbed-helpers.js';
import { findExecutable } from '../testbed/users.js';

const tb = inject('testbed');

type Invocation = [command: string, args: string[]];

/** nodeExecutor that records `[command, args]` of every spawn. */
function recordingExecutor(): SpawnExecutor & { calls: Invocation[] } {
  const calls: Invocation[] = [];
  return {
    calls,
    spawn(command, args, options) {
      calls.push([command, [...args]]);
      return nodeExecutor.spawn(command, args, options);
    },
  };
}

/** Which helper an ssh invocation is; `run` for the wrapped command itself. */
function kindOf(args: readonly string[]): string {
  if (args.includes('-G')) return '-G';
  const control = args.indexOf('-O');
  if (control !== -1) return `-O ${args[control + 1]}`;
  if (args[0] === '-N') return args.includes('ControlMaster=yes') ? 'master' : '-N';
  if (args.some((arg) => /kill -TERM -\d+/.test(arg))) return 'kill';
  return 'run';
}

describe.skipIf(!tb)('every process goes through the injected executor', () => {
  const info = tb!;
  const { remote, store, agentSsh } = remoteSetup(info, userFor(info, 'bash'));
  let dir: string;
  let controlDir: string;
  let logDir: string;
  /** An `ssh` that records its own argv, then execs the real one: it sees every ssh start, whoever spawned it. */
  let sshPath: string;

  /** Every ssh the wrapper saw, as `[sshPath, args]`. */
  function started(): Invocation[] {
    return fs
      .readdirSync(logDir)
      .map((name) => fs.readFileSync(path.join(logDir, name), 'utf8'))
      .map((text): Invocation => [sshPath, text.split('\0').slice(0, -1)]);
  }

  const sorted = (calls: Invocation[]): string[] => calls.map((call) => JSON.stringify(call)).sort();

  beforeAll(() => {
    dir = fs.mkdtempSync('/tmp/swseam-');
    controlDir = path.join(dir, 'control');
    logDir = path.join(dir, 'log');
    fs.mkdirSync(controlDir, { mode: 0o700 });
    fs.mkdirSync(logDir);
    sshPath = path.join(dir, 'ssh');
    const realSsh = findExecutable('ssh');
    if (!realSsh) throw new Error('no ssh client installed');
    // `exec` keeps the pid: the master ssh forks off is still the process that was logged.
    fs.writeFileSync(sshPath, `#!/bin/sh\nprintf '%s\\0' "$@" > "$(mktemp '${logDir}/call.XXXXXXXX')"\nexec ${realSsh} "$@"\n`, { mode: 0o755 });
    clearSshConfigCache();
  });

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('master start, -O check, the remote kill, -O exit and ssh -G all go through it, and nothing else starts ssh', async () => {
    const recording = recordingExecutor();
    const pool = new ConnectionPool({ controlDir, executor: recording });
    const options = { multiplex: true, connectionPool: pool, executor: recording, sshPath };
    try {
      const ran = await runWithSsh({ command: 'echo', args: ['seam'], cwd: '~' }, agentSsh, store, options);
      expect(ran).toMatchObject({ exitCode: 0, stdout: 'seam\n' });

      // A second pool over the same directory finds the master and asks it (`-O check`) before using it.
      const adopter = new ConnectionPool({ controlDir });
      const adopted = await runWithSsh({ command: 'echo', args: ['adopted'], cwd: '~' }, agentSsh, store, { ...options, connectionPool: adopter });
      expect(adopted).toMatchObject({ exitCode: 0, stdout: 'adopted\n' });

      // Aborted after the remote side started: the run stops the remote group over a second connection.
      const token = `swseam${randomBytes(5).toString('hex')}`;
      const controller = new AbortController();
      const aborted = await runWithSsh({ command: 'sh', args: ['-c', `echo ready; exec sleep 300 # ${token}`], cwd: '~' }, agentSsh, store, {
        ...options,
        signal: controller.signal,
        onStdout: (text) => {
          if (text.includes('ready')) controller.abort();
        },
      });
      expect(aborted).toMatchObject({ aborted: true, remoteStarted: true });
      expect(await eventually(() => processesWith(token).length === 0, 10_000)).toBe(true);

      // spawnWithSsh: kill() on the child does the same.
      const spawnToken = `swseam${randomBytes(5).toString('hex')}`;
      // Killed once the remote pid is known (the `started` event): stdout is another pipe than the
      // status lines, so its first byte alone can come before it, and then only the lifeline acts.
      let onStarted = (): void => {};
      const started = new Promise<void>((resolve) => (onStarted = resolve));
      const { child } = await spawnWithSsh({ command: 'sh', args: ['-c', `echo ready; exec sleep 300 # ${spawnToken}`], cwd: '~' }, agentSsh, store, {
        ...options,
        onEvent: (event) => event.type === 'started' && onStarted(),
      });
      await Promise.all([new Promise<void>((resolve) => child.stdout!.once('data', () => resolve())), started]);
      const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
      child.kill('SIGTERM');
      await closed;
      expect(await eventually(() => processesWith(spawnToken).length === 0, 10_000)).toBe(true);

      await pool.closeAll();
      await adopter.closeAll();

      const host = await resolveSshConfigHost('sshwrap-seam-host', { executor: recording, sshPath, configFile: '/dev/null' });
      expect(host.hostname).toBe('sshwrap-seam-host');
      const viaConfig = parseSshRemoteConfig({ ...remote, id: 'seam-config', useSshConfig: true });
      expect(await describeEffectiveRemote(viaConfig, { executor: recording, sshPath, configFile: '/dev/null' })).toMatchObject({ source: 'ssh-config', user: remote.username });
    } finally {
      await pool.closeAll();
    }

    const kinds = new Set(recording.calls.map(([, args]) => kindOf(args)));
    for (const kind of ['run', 'master', '-O check', 'kill', '-O exit', '-G']) expect(kinds, `no ${kind} went through the executor`).toContain(kind);
    expect(recording.calls.filter(([, args]) => kindOf(args) === 'kill').length).toBeGreaterThanOrEqual(2);
    expect(recording.calls.every(([command]) => command === sshPath)).toBe(true);
    // The negative: the wrapper saw exactly the ssh processes the executor started, no more.
    expect(sorted(started())).toEqual(sorted(recording.calls));
  });
});
