import type { ConnectionPool } from '../pool/index.js';
import type { SshRemoteConfig } from '../schemas/index.js';
import { hostKeyOf } from './targets.js';

// runOnMany's runs with multiplex off hold no pool lease, so the fleet layer counts them itself.
const unpooledRuns = new Map<string, number>();

/**
 * Counts one unpooled fleet run on the host of `remote` until the returned function is called
 * (idempotent).
 *
 * @example
 * ```ts
 * const uncount = countUnpooledRun(remote);
 * try { await runWithSsh(config, agentSsh, store); } finally { uncount(); }
 * ```
 */
export function countUnpooledRun(remote: Pick<SshRemoteConfig, 'host' | 'port'>): () => void {
  const key = hostKeyOf(remote);
  unpooledRuns.set(key, (unpooledRuns.get(key) ?? 0) + 1);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    const left = (unpooledRuns.get(key) ?? 1) - 1;
    if (left > 0) unpooledRuns.set(key, left);
    else unpooledRuns.delete(key);
  };
}

/**
 * The runs this process has on the machine of `remote` (`host:port`, any user) right now: every
 * lease of `pool` (all runs with `multiplex` on, from any caller), plus `runOnMany` runs made with
 * multiplex off. Not counted: a direct `runWithSsh`/`spawnWithSsh` without multiplex, and other
 * processes' runs (the probe's `load1` sees those).
 *
 * @example
 * ```ts
 * runsOnHost({ host: 'gpu-1', port: 22 }, defaultConnectionPool); // 2
 * ```
 */
export function runsOnHost(remote: Pick<SshRemoteConfig, 'host' | 'port'>, pool: ConnectionPool): number {
  return pool.activeLeases(remote) + (unpooledRuns.get(hostKeyOf(remote)) ?? 0);
}
