import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { runOnMany } from '../src/fleet/index.js';
import { ConnectionPool } from '../src/pool/index.js';
import { createMemoryStoreAdapter } from '../src/resolve/index.js';
import { parseSshRemoteConfig } from '../src/schemas/index.js';
import type { BenchBed } from './bed.js';
import { settle, tally } from './harness.js';

export interface FleetSide {
  succeeded: number;
  wallMs: number;
  /** Most unauthenticated connections sshd counted at once (its listener's "N of 10-100 startups"). */
  maxStartups: number;
  failures: Record<string, number>;
}

export interface FleetResult {
  remotes: number;
  concurrency: number;
  /** The bench sshd's MaxStartups as its listener reports it, e.g. "10-100". */
  maxStartupsSetting: string;
  pooled: FleetSide;
  /** The same fan-out again on the masters the first one left running (ControlPersist). */
  pooledWarm: FleetSide;
  unpooled: FleetSide;
  raw: FleetSide;
}

const STARTUPS = /\[listener\] (\d+) of (\d+)-(\d+) startups/;

/**
 * Watches sshd's own count of unauthenticated connections: OpenSSH (≥ 8.x) keeps it in the
 * listener's process title, "[listener] N of 10-100 startups", updated whenever it changes.
 * Polled from /proc every 2 ms (one small file read); a handshake lasts tens of ms.
 */
function watchStartups(sshdPid: number): { stop(): { max: number; setting: string } } {
  let max = 0;
  let setting = '?';
  const read = (): void => {
    try {
      const match = STARTUPS.exec(fs.readFileSync(`/proc/${sshdPid}/cmdline`, 'utf8').replace(/\0/g, ' '));
      if (match) {
        max = Math.max(max, Number(match[1]));
        setting = `${match[2]}-${match[3]}`;
      }
    } catch {
      // sshd gone: the run will fail and say so
    }
  };
  read();
  const timer = setInterval(read, 2);
  return {
    stop() {
      clearInterval(timer);
      read();
      return { max, setting };
    },
  };
}

/**
 * Section 5: one short command (`true`) fanned out to `count` distinct remotes with
 * `concurrency` runs at once. The remotes are ids on the bench sshd, each with its own
 * connection (a distinct harmless `ServerAliveCountMax`, so the pool opens one master per remote
 * as it would for distinct machines). Baseline: `xargs -P <concurrency>` of raw `ssh`, one fresh
 * connection per remote, in the same run.
 */
export async function benchFleet(bench: BenchBed, count = 50, concurrency = 16): Promise<FleetResult> {
  const remotes = Array.from({ length: count }, (_, i) =>
    parseSshRemoteConfig({ ...bench.remote, id: `fleet-${i}`, customOptions: { ...bench.remote.customOptions, ServerAliveCountMax: String(3 + i) } }),
  );
  const store = createMemoryStoreAdapter(remotes);
  const ids = remotes.map((remote) => remote.id);
  const job = { command: 'true', args: [], cwd: '~' };

  const library = async (multiplex: boolean, pool: ConnectionPool): Promise<FleetSide & { setting: string }> => {
    const watcher = watchStartups(bench.bed.sshdPid);
    const started = performance.now();
    try {
      const results = await runOnMany(ids, job, store, { concurrency, runOptions: { multiplex, connectionPool: pool, timeoutMs: 60_000 } });
      const wallMs = performance.now() - started;
      const { max, setting } = watcher.stop();
      const failed = results.filter((r) => r.remoteExitCode !== 0);
      return { succeeded: count - failed.length, wallMs, maxStartups: max, setting, failures: tally(failed.map((r) => `${r.errorKind}: ${r.errorMessage}`)) };
    } finally {
      watcher.stop();
    }
  };

  const pool = new ConnectionPool({ controlDir: bench.controlDir });
  let pooled: FleetSide & { setting: string };
  let pooledWarm: FleetSide;
  try {
    pooled = await library(true, pool);
    pooledWarm = await library(true, pool);
  } finally {
    await pool.closeAll();
  }
  await settle();
  const unpooled = await library(false, pool);
  await settle();

  // The shell baseline: one line per remote, `xargs -P` running plain ssh with the bench's config.
  const watcher = watchStartups(bench.bed.sshdPid);
  const started = performance.now();
  const raw = await new Promise<{ stderr: string }>((resolve) => {
    // `sh -c` only to count failures: one `failed:<status>` line per ssh that did not exit 0.
    const child = spawn('xargs', ['-P', String(concurrency), '-I{}', 'sh', '-c', 'ssh "$@" true || echo "failed:$?" >&2', 'sh', ...bench.rawArgs], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdin.end(ids.map((id) => `${id}\n`).join(''));
    child.once('close', () => resolve({ stderr }));
  });
  const rawWallMs = performance.now() - started;
  const { max } = watcher.stop();
  const lines = raw.stderr.split('\n').filter((line) => line.trim() !== '');
  const rawFailed = lines.filter((line) => line.startsWith('failed:')).length;
  return {
    remotes: count,
    concurrency,
    maxStartupsSetting: pooled.setting,
    pooled,
    pooledWarm,
    unpooled,
    raw: { succeeded: count - rawFailed, wallMs: rawWallMs, maxStartups: max, failures: tally(lines.filter((line) => !line.startsWith('failed:'))) },
  };
}
