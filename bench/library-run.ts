import { nodeExecutor, runWithSsh, type SpawnExecutor } from '../src/exec/index.js';
import type { Lease } from '../src/pool/index.js';
import type { BenchBed } from './bed.js';

export interface LibraryRun {
  ok: boolean;
  /** Call to return. */
  ms: number;
  /** Call to ssh being spawned: the library's own work before ssh starts (parse, wrap, checks). */
  preSpawnMs: number;
  errorKind?: string | undefined;
  errorMessage?: string | undefined;
}

/** One runWithSsh of `command` on the bench remote, through `lease` when given. */
export async function libraryRun(
  bench: BenchBed,
  lease: Lease | undefined,
  command: string,
  args: string[] = [],
  extra: { prompt?: string; timeoutMs?: number } = {},
): Promise<LibraryRun> {
  let spawnedAt = Number.NaN;
  const executor: SpawnExecutor = {
    spawn(file, spawnArgs, options) {
      spawnedAt = performance.now();
      return nodeExecutor.spawn(file, spawnArgs, options);
    },
  };
  const started = performance.now();
  const result = await runWithSsh(
    { command, args, cwd: '~', ...(extra.prompt !== undefined ? { prompt: extra.prompt } : {}) },
    bench.agentSsh,
    bench.store,
    { timeoutMs: extra.timeoutMs ?? 60_000, executor, ...(lease ? { managedSshOptions: lease.managedSshOptions } : {}) },
  );
  return {
    ok: result.exitCode === 0 && result.errorKind === undefined,
    ms: performance.now() - started,
    preSpawnMs: spawnedAt - started,
    errorKind: result.errorKind,
    errorMessage: result.errorMessage,
  };
}
