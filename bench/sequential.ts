import { homedir } from 'node:os';
import { ConnectionPool } from '../src/pool/index.js';
import { parseSshSpawnWrapConfig } from '../src/schemas/index.js';
import { wrapForRemote } from '../src/wrap/index.js';
import type { BenchBed } from './bed.js';
import { median, percentile } from './harness.js';
import { libraryRun } from './library-run.js';
import { rawSsh } from './raw-ssh.js';

export interface Series {
  medianMs: number;
  p90Ms: number;
  totalMs: number;
  failures: number;
}

export interface SequentialResult {
  runs: number;
  cold: Series;
  pooled: Series;
  /** The first pooled run of a cold pool (master start included). */
  pooledFirstMs: number;
  rawMaster: Series;
  /** Raw `ssh -S` sending the exact remote command the library sends (isolates the Node side). */
  rawMasterSameCommand: Series;
  coldOverPooled: number;
  pooledOverRawMaster: number;
  pooledOverRawSameCommand: number;
  /** Median time from runWithSsh's call to ssh being spawned, pooled runs. */
  pooledPreSpawnMs: number;
}

function series(times: readonly number[], failures: number): Series {
  return { medianMs: median(times), p90Ms: percentile(times, 90), totalMs: times.reduce((a, b) => a + b, 0), failures };
}

/** A hand-made master the way a user would start one, for the raw `ssh -S` baseline. */
async function startRawMaster(bench: BenchBed, socket: string): Promise<void> {
  const result = await rawSsh([...bench.rawArgs.slice(0, -1), '-o', 'ControlMaster=yes', '-o', `ControlPath=${socket}`, '-o', 'ControlPersist=300', '-N', bench.rawArgs.at(-1)!], {
    timeoutMs: 30_000,
  });
  if (result.code !== 0) throw new Error(`hand-made master failed: ${result.stderr}`);
}

/**
 * Section 2: `runs` sequential runs of `true`: cold (multiplex off) vs pooled, and pooled vs raw
 * `ssh -S` on a hand-made master, pooled and raw interleaved so drift hits both alike.
 */
export async function benchSequential(bench: BenchBed, runs = 50): Promise<SequentialResult> {
  const pool = new ConnectionPool({ controlDir: bench.controlDir });
  const socket = `${bench.controlDir}/raw-master`;
  const rawViaMaster = [...bench.rawArgs.slice(0, -1), '-S', socket, bench.rawArgs.at(-1)!];
  // What the library sends for `true`, for the same-command baseline.
  const wrapped = wrapForRemote(parseSshSpawnWrapConfig({ command: 'true', args: [], cwd: '~' }), bench.remote, undefined, { statusMarker: 'swbench', sshPath: 'ssh', localCwd: homedir() });
  const sameCommand = wrapped.args.at(-1)!;
  try {
    const cold: number[] = [];
    let coldFailures = 0;
    for (let i = 0; i < runs; i++) {
      const run = await libraryRun(bench, undefined, 'true');
      cold.push(run.ms);
      if (!run.ok) coldFailures++;
    }

    const preSpawn: number[] = [];
    const pooledRun = async (): Promise<{ ms: number; ok: boolean }> => {
      const started = performance.now();
      const lease = await pool.acquire(bench.remote, true);
      try {
        const run = await libraryRun(bench, lease, 'true');
        preSpawn.push(run.preSpawnMs);
        return { ms: performance.now() - started, ok: run.ok };
      } finally {
        lease.release();
      }
    };
    const first = await pooledRun();
    await startRawMaster(bench, socket);

    const pooled: number[] = [];
    const raw: number[] = [];
    const rawSame: number[] = [];
    let pooledFailures = first.ok ? 0 : 1;
    let rawFailures = 0;
    let rawSameFailures = 0;
    for (let i = 0; i < runs; i++) {
      const p = await pooledRun();
      pooled.push(p.ms);
      if (!p.ok) pooledFailures++;
      const r = await rawSsh([...rawViaMaster, 'true'], { timeoutMs: 30_000 });
      raw.push(r.ms);
      if (r.code !== 0) rawFailures++;
      const s = await rawSsh([...rawViaMaster, sameCommand], { timeoutMs: 30_000 });
      rawSame.push(s.ms);
      if (s.code !== 0) rawSameFailures++;
    }
    const coldSeries = series(cold, coldFailures);
    const pooledSeries = series(pooled, pooledFailures);
    const rawSeries = series(raw, rawFailures);
    const rawSameSeries = series(rawSame, rawSameFailures);
    return {
      runs,
      cold: coldSeries,
      pooled: pooledSeries,
      pooledFirstMs: first.ms,
      rawMaster: rawSeries,
      rawMasterSameCommand: rawSameSeries,
      coldOverPooled: coldSeries.medianMs / pooledSeries.medianMs,
      pooledOverRawMaster: pooledSeries.medianMs / rawSeries.medianMs,
      pooledOverRawSameCommand: pooledSeries.medianMs / rawSameSeries.medianMs,
      pooledPreSpawnMs: median(preSpawn),
    };
  } finally {
    await pool.closeAll();
    await rawSsh(['-F', 'none', '-S', socket, '-O', 'exit', 'raw-master'], { timeoutMs: 5_000 });
  }
}
