import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnWithSsh } from '../../src/exec/index.js';
import { ConnectionPool } from '../../src/pool/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { processesWith } from '../exec/testbed-helpers.js';
import { liveGroupMembers } from '../pool/proc-groups.js';
import { ALL_SHELLS, remoteFor, type TestbedInfo, type TestbedUser } from '../testbed/index.js';
import { descendants } from '../testbed/procs.js';
import { pickFreePort } from '../testbed/ports.js';
import { renderSshdConfig, startSshd, stopSshd, type RunningSshd } from '../testbed/sshd.js';

const tb = inject('testbed');

// Section 2 of issue 12: an attached run never outlives its owner. sshd does not signal a no-tty
// command when its connection goes, so without the lifeline every case below leaves the remote
// `sleep` running (see cancel.test.ts, "the problem"). Each case runs all 7 login shells at once,
// each with two agents: one that reads its (framed, 100 kB) stdin prompt and one that never does.
const CLEANUP_LIMIT_MS = 5_000;
const PROMPT = 'p'.repeat(100_000);
const AGENTS = {
  reads: (marker: string) => ['-c', 'cat >/dev/null; sleep 313; exit 0', marker],
  ignores: (marker: string) => ['-c', 'sleep 313; exit 0', marker],
} as const;

interface Run {
  shell: string;
  agent: keyof typeof AGENTS;
  marker: string;
  remotePid: number;
  /** The local ssh (for 'ssh-killed') or the owning node process (for 'owner-killed'). */
  local: ChildProcess;
}

interface Proc {
  pid: number;
  pgrp: number;
  cmdline: string;
}

/** One pass over /proc: live (non-zombie) processes with their group and argv. */
function snapshot(): Proc[] {
  const procs: Proc[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z' || state === 'X') continue;
      procs.push({ pid: Number(entry), pgrp: Number(pgrp), cmdline: fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8') });
    } catch {
      // exited while we looked
    }
  }
  return procs;
}

/** Every process of the run is gone: the remote group (the script, the agent, its sleep) and anything with the marker in its argv (local ssh included). */
function runGone(run: Run, procs: Proc[]): boolean {
  return !procs.some((proc) => proc.pgrp === run.remotePid || (proc.cmdline.includes(run.marker) && proc.pid !== process.pid));
}

/** Polls all runs (one /proc pass per round: 2 shared cores); each one's time to cleanup (ms after `from`), `undefined` if it outlived `limitMs`. */
async function cleanupTimes(runs: Run[], from: number, limitMs: number): Promise<Map<Run, number | undefined>> {
  const times = new Map<Run, number | undefined>();
  const deadline = from + limitMs;
  while (times.size < runs.length && Date.now() < deadline) {
    const procs = snapshot();
    const at = Date.now() - from;
    for (const run of runs) if (!times.has(run) && runGone(run, procs)) times.set(run, at);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const procs = snapshot();
  for (const run of runs) if (!times.has(run)) times.set(run, runGone(run, procs) ? Date.now() - from : undefined);
  return times;
}

function report(label: string, times: Map<Run, number | undefined>): void {
  const lines = [...times].map(([run, ms]) => `  ${run.shell.padEnd(5)} ${run.agent.padEnd(7)} ${ms === undefined ? 'STILL RUNNING' : `${ms} ms`}`);
  process.stdout.write(`lifeline cleanup, ${label}:\n${lines.join('\n')}\n`);
}

/** Kills whatever is left of the runs (a failing test must not leave sleeps behind). */
function reap(runs: Run[]): void {
  for (const run of runs) {
    for (const pid of [...liveGroupMembers(run.remotePid), ...processesWith(run.marker)]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    try {
      run.local.kill('SIGKILL');
    } catch {
      // gone
    }
  }
}

describe.skipIf(!tb)('lifeline: attached runs never outlive their owner', () => {
  const info = tb as TestbedInfo;
  // A private sshd for the same users: these tests kill its per-connection processes and restart
  // it, which must never disturb the shared one other test files use.
  let dir: string;
  let port: number;
  let sshd: RunningSshd;
  let controlDir: string;
  const pools: ConnectionPool[] = [];
  // A fresh pool per pooled case: the cases before it killed the masters of the earlier ones.
  const newPool = (): ConnectionPool => {
    const pool = new ConnectionPool({ controlDir: fs.mkdtempSync(path.join(controlDir, 'p')) });
    pools.push(pool);
    return pool;
  };
  const configFile = (): string => path.join(dir, 'sshd_config');

  const launch = async (): Promise<void> => {
    sshd = await startSshd({ configFile: configFile(), logFile: path.join(dir, 'sshd.log'), stderrFile: path.join(dir, 'sshd.stderr'), pidFile: path.join(dir, 'sshd.pid'), port });
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync('/tmp/swlifeline-');
    fs.chmodSync(dir, 0o755);
    port = await pickFreePort();
    fs.writeFileSync(
      configFile(),
      renderSshdConfig({
        port,
        hostKey: path.join(info.dir, 'ssh_host_ed25519_key'),
        pidFile: path.join(dir, 'sshd.pid'),
        authorizedKeysDir: path.join(info.dir, 'authorized_keys'),
        allowUsers: info.users.map((u) => u.name),
        extra: ['MaxStartups 100:30:200', 'MaxSessions 50'],
      }),
    );
    await launch();
    controlDir = fs.mkdtempSync('/tmp/swlli-');
  });

  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.closeAll()));
    // Masters started by the owner processes of the "owner killed" case outlive them (ControlPersist).
    for (const pid of processesWith(controlDir ?? '/nonexistent')) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    if (sshd) await stopSshd(sshd);
    if (controlDir) fs.rmSync(controlDir, { recursive: true, force: true });
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  // Its own known_hosts: the shared one may only ever hold the shared sshd's port.
  const remoteOf = (user: TestbedUser) => ({ ...remoteFor({ ...info, port, knownHostsFile: path.join(dir, 'known_hosts') }, user), id: `lifeline-${user.name}` });
  const userOf = (shell: string): TestbedUser => info.users.find((u) => u.shell === shell)!;
  const newMarker = (): string => `swlife${randomBytes(6).toString('hex')}`;

  /** Starts one in-process run per shell and agent; resolves once every remote command runs. */
  async function startInProcess(pooled: boolean): Promise<Run[]> {
    const pool = pooled ? newPool() : undefined;
    return Promise.all(
      ALL_SHELLS.flatMap((shell) =>
        (Object.keys(AGENTS) as Array<keyof typeof AGENTS>).map(async (agent) => {
          const remote = remoteOf(userOf(shell));
          const marker = newMarker();
          let started!: (pid: number) => void;
          const remotePid = new Promise<number>((resolve) => (started = resolve));
          const { child } = await spawnWithSsh({ command: 'sh', args: [...AGENTS[agent](marker)], cwd: '~', prompt: PROMPT }, { enabled: true, remoteId: remote.id }, createMemoryStoreAdapter([remote]), {
            // 14 long runs on one host: above the default per-host limit (8) they would wait for a slot.
            ...(pool ? { multiplex: { maxConcurrentPerHost: 32 }, connectionPool: pool } : {}),
            onEvent: (event) => {
              if (event.type === 'started' && event.remotePid !== undefined) started(event.remotePid);
            },
          });
          child.stdout?.resume();
          child.stderr?.resume();
          const pid = await Promise.race([remotePid, new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`${shell}: no start`)), 30_000).unref())]);
          // The agent itself (its sleep) is running, not only the script.
          const deadline = Date.now() + 10_000;
          while (liveGroupMembers(pid).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
          return { shell, agent, marker, remotePid: pid, local: child as unknown as ChildProcess };
        }),
      ),
    );
  }

  /** Per-connection sshd processes of the private sshd (not the users' commands below them). */
  function sessionProcesses(): number[] {
    return descendants(sshd.pid).filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('sshd');
      } catch {
        return false;
      }
    });
  }

  async function check(label: string, runs: Run[], from: number): Promise<void> {
    try {
      const times = await cleanupTimes(runs, from, CLEANUP_LIMIT_MS + 3_000);
      report(label, times);
      for (const [run, ms] of times) expect(ms, `${label}: ${run.shell} ${run.agent}`).toBeLessThanOrEqual(CLEANUP_LIMIT_MS);
    } finally {
      reap(runs);
    }
  }

  it.each([false, true])('(a) the local ssh is SIGKILLed (pooled: %s): the remote group is gone within 5 s on every shell', async (pooled) => {
    const runs = await startInProcess(pooled);
    const from = Date.now();
    // By pid, from outside: child.kill() would go through sshwrap's own stop path (remote kill included).
    for (const run of runs) process.kill(run.local.pid!, 'SIGKILL');
    await check(`(a) local ssh SIGKILLed, pooled=${pooled}`, runs, from);
  }, 90_000);

  it.each([false, true])('(b) the owning node process is SIGKILLed (pooled: %s): remote group and local ssh gone within 5 s', async (pooled) => {
    const script = path.join(import.meta.dirname, 'fixtures', 'lifeline-owner.ts');
    const ownerControlDir = pooled ? fs.mkdtempSync(path.join(controlDir, 'o')) : undefined;
    const runs = await Promise.all(
      ALL_SHELLS.flatMap((shell) =>
        (Object.keys(AGENTS) as Array<keyof typeof AGENTS>).map(async (agent) => {
          const marker = newMarker();
          const input = { remote: remoteOf(userOf(shell)), args: AGENTS[agent](marker), prompt: PROMPT, ...(ownerControlDir ? { controlDir: ownerControlDir } : {}) };
          const owner = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(input)], { stdio: ['ignore', 'pipe', 'inherit'] });
          const remotePid = await new Promise<number>((resolve, reject) => {
            let text = '';
            const timer = setTimeout(() => reject(new Error(`${shell}: owner never reported a start`)), 45_000);
            owner.stdout!.on('data', (chunk: Buffer) => {
              text += chunk.toString();
              const match = /"remotePid":(\d+)/.exec(text);
              if (match) {
                clearTimeout(timer);
                resolve(Number(match[1]));
              }
            });
          });
          const deadline = Date.now() + 10_000;
          while (liveGroupMembers(remotePid).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
          return { shell, agent, marker, remotePid, local: owner };
        }),
      ),
    );
    // The local ssh runs too (it has the marker in its argv) before the owner dies.
    for (const run of runs) expect(processesWith(run.marker).some((pid) => fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'ssh')).toBe(true);
    const from = Date.now();
    for (const run of runs) run.local.kill('SIGKILL');
    await check(`(b) owner node SIGKILLed, pooled=${pooled}`, runs, from);
  }, 120_000);

  it.each([false, true])('(c) the connection is cut (sshd per-connection processes SIGKILLed, pooled: %s): the remote group is gone within 5 s', async (pooled) => {
    const runs = await startInProcess(pooled);
    const from = Date.now();
    for (const pid of sessionProcesses()) process.kill(pid, 'SIGKILL');
    await check(`(c) connection cut, pooled=${pooled}`, runs, from);
  }, 90_000);

  it.each([false, true])('(d) sshd is restarted and ends its sessions (pooled: %s): the remote group is gone within 5 s', async (pooled) => {
    const runs = await startInProcess(pooled);
    const from = Date.now();
    // What a service manager's stop does to sshd: SIGTERM to the listener and to every
    // per-connection sshd (not to the users' commands, which sshd's setsid() put in their own
    // sessions); then a new listener on the same port.
    const sessions = sessionProcesses();
    await stopSshd(sshd, { keepConnections: true });
    for (const pid of sessions) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await launch();
    await check(`(d) sshd restarted, pooled=${pooled}`, runs, from);
  }, 90_000);
});
