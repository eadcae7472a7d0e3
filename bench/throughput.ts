import { ConnectionPool } from '../src/pool/index.js';
import type { BenchBed } from './bed.js';
import { median, peakRss } from './harness.js';
import { libraryRun } from './library-run.js';
import { rawSsh } from './raw-ssh.js';

export interface ThroughputSide {
  /** MB/s (10^6 bytes), median over the rounds, connection setup included. */
  mbPerSecond: number;
  /** Highest RSS growth over the pre-run RSS seen during a round. */
  peakExtraRssBytes: number;
  /** Highest absolute RSS of this Node process during a round. */
  peakRssBytes: number;
  failures: number;
  /** Library only: median time from the call to ssh being spawned (the library's own CPU work on the prompt). */
  preSpawnMs?: number;
}

export interface ThroughputResult {
  bytes: number;
  rounds: number;
  libraryDirect: ThroughputSide;
  libraryPooled: ThroughputSide;
  rawDirect: ThroughputSide;
  rawMaster: ThroughputSide;
  libraryDirectOverRawDirect: number;
  libraryPooledOverRawMaster: number;
}

const REMOTE_SINK = 'cat >/dev/null';

/**
 * Section 4: a `bytes`-long prompt delivered on stdin to `cat >/dev/null` (the library moves a
 * prompt that large to stdin), against raw `ssh host 'cat >/dev/null'` fed the same JS string with
 * `stdin.end(prompt)`, as an app holding a prompt would (Node then encodes a full copy at once; the
 * library streams it in chunks so memory stays flat). Rounds interleave the variants.
 */
export async function benchThroughput(bench: BenchBed, bytes = 100_000_000, rounds = 7): Promise<ThroughputResult> {
  const prompt = 'abcdefghij'.repeat(Math.ceil(bytes / 10)).slice(0, bytes);
  // repeat() builds a rope; V8 flattens it into one 100 MB string on first scan. Do that now so
  // the first measured run is not charged for how the benchmark made its input.
  prompt.indexOf('\0');

  const pool = new ConnectionPool({ controlDir: bench.controlDir });
  const socket = `${bench.controlDir}/raw-master-tp`;
  const rawMasterArgs = [...bench.rawArgs.slice(0, -1), '-S', socket, bench.rawArgs.at(-1)!];
  const start = await rawSsh([...bench.rawArgs.slice(0, -1), '-o', 'ControlMaster=yes', '-o', `ControlPath=${socket}`, '-o', 'ControlPersist=300', '-N', bench.rawArgs.at(-1)!]);
  if (start.code !== 0) throw new Error(`hand-made master failed: ${start.stderr}`);

  const samples = { libraryDirect: [] as number[], libraryPooled: [] as number[], rawDirect: [] as number[], rawMaster: [] as number[] };
  const peaks = { libraryDirect: [0, 0], libraryPooled: [0, 0], rawDirect: [0, 0], rawMaster: [0, 0] } as Record<keyof typeof samples, [number, number]>;
  const failures = { libraryDirect: 0, libraryPooled: 0, rawDirect: 0, rawMaster: 0 };
  const preSpawn = { libraryDirect: [] as number[], libraryPooled: [] as number[], rawDirect: [] as number[], rawMaster: [] as number[] };
  const measure = async (name: keyof typeof samples, work: () => Promise<{ ok: boolean; ms: number; preSpawnMs?: number }>): Promise<void> => {
    const { value, peakRssBytes, baselineRssBytes } = await peakRss(work);
    samples[name].push(bytes / 1e6 / (value.ms / 1000));
    if (value.preSpawnMs !== undefined) preSpawn[name].push(value.preSpawnMs);
    if (!value.ok) failures[name]++;
    peaks[name] = [Math.max(peaks[name][0], peakRssBytes - baselineRssBytes), Math.max(peaks[name][1], peakRssBytes)];
  };
  try {
    // A warm master for the pooled variant, so every pooled round measures the transfer.
    (await pool.acquire(bench.remote, true)).release();
    for (let round = 0; round < rounds; round++) {
      await measure('libraryDirect', () => libraryRun(bench, undefined, 'sh', ['-c', REMOTE_SINK], { prompt, timeoutMs: 120_000 }));
      await measure('rawDirect', async () => {
        const r = await rawSsh([...bench.rawArgs, REMOTE_SINK], { input: prompt, timeoutMs: 120_000 });
        return { ok: r.code === 0, ms: r.ms };
      });
      await measure('libraryPooled', async () => {
        const lease = await pool.acquire(bench.remote, true);
        try {
          return await libraryRun(bench, lease, 'sh', ['-c', REMOTE_SINK], { prompt, timeoutMs: 120_000 });
        } finally {
          lease.release();
        }
      });
      await measure('rawMaster', async () => {
        const r = await rawSsh([...rawMasterArgs, REMOTE_SINK], { input: prompt, timeoutMs: 120_000 });
        return { ok: r.code === 0, ms: r.ms };
      });
    }
  } finally {
    await pool.closeAll();
    await rawSsh(['-F', 'none', '-S', socket, '-O', 'exit', 'raw-master'], { timeoutMs: 5_000 });
  }
  const side = (name: keyof typeof samples): ThroughputSide => ({
    mbPerSecond: median(samples[name]),
    peakExtraRssBytes: peaks[name][0],
    peakRssBytes: peaks[name][1],
    failures: failures[name],
    ...(preSpawn[name].length > 0 ? { preSpawnMs: median(preSpawn[name]) } : {}),
  });
  const result = { libraryDirect: side('libraryDirect'), libraryPooled: side('libraryPooled'), rawDirect: side('rawDirect'), rawMaster: side('rawMaster') };
  return {
    bytes,
    rounds,
    ...result,
    libraryDirectOverRawDirect: result.libraryDirect.mbPerSecond / result.rawDirect.mbPerSecond,
    libraryPooledOverRawMaster: result.libraryPooled.mbPerSecond / result.rawMaster.mbPerSecond,
  };
}
