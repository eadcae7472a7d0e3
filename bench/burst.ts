import { ConnectionPool } from '../src/pool/index.js';
import type { BenchBed } from './bed.js';
import { libraryRun } from './library-run.js';
import { rawSsh } from './raw-ssh.js';
import { settle, tally } from './harness.js';

export interface BurstSide {
  succeeded: number;
  wallMs: number;
  /** Failure messages and how often each occurred. */
  failures: Record<string, number>;
}

export interface BurstResult {
  concurrency: number;
  pooled: BurstSide;
  unpooled: BurstSide;
  raw: BurstSide;
}

/** Section 3: `concurrency` simultaneous runs of `true` to one host with sshd's default limits. */
export async function benchBurst(bench: BenchBed, concurrency = 64): Promise<BurstResult> {
  const pool = new ConnectionPool({ controlDir: bench.controlDir });
  try {
    let started = performance.now();
    const pooledRuns = await Promise.all(
      Array.from({ length: concurrency }, async () => {
        const lease = await pool.acquire(bench.remote, true);
        try {
          return await libraryRun(bench, lease, 'true');
        } finally {
          lease.release();
        }
      }),
    );
    const pooled: BurstSide = {
      succeeded: pooledRuns.filter((r) => r.ok).length,
      wallMs: performance.now() - started,
      failures: tally(pooledRuns.filter((r) => !r.ok).map((r) => `${r.errorKind}: ${r.errorMessage}`)),
    };
    await pool.closeAll();
    await settle();

    started = performance.now();
    const unpooledRuns = await Promise.all(Array.from({ length: concurrency }, () => libraryRun(bench, undefined, 'true')));
    const unpooled: BurstSide = {
      succeeded: unpooledRuns.filter((r) => r.ok).length,
      wallMs: performance.now() - started,
      failures: tally(unpooledRuns.filter((r) => !r.ok).map((r) => `${r.errorKind}: ${r.errorMessage}`)),
    };
    await settle();

    started = performance.now();
    const rawRuns = await Promise.all(Array.from({ length: concurrency }, () => rawSsh([...bench.rawArgs, 'true'], { timeoutMs: 60_000 })));
    const raw: BurstSide = {
      succeeded: rawRuns.filter((r) => r.code === 0).length,
      wallMs: performance.now() - started,
      failures: tally(rawRuns.filter((r) => r.code !== 0).map((r) => r.stderr)),
    };
    return { concurrency, pooled, unpooled, raw };
  } finally {
    await pool.closeAll();
  }
}
