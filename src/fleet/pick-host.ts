import { z } from 'zod';
import { SshWrapError } from '../errors/index.js';
import { defaultConnectionPool } from '../pool/index.js';
import type { SshRemoteStoreAdapter } from '../resolve/index.js';
import { assertKnownOptions, optionKeys } from '../schemas/index.js';
import { parseWith } from '../schemas/parse.js';
import type { HostFacts } from './facts.js';
import { runsOnHost } from './host-runs.js';
import { PROBE_HOST_OPTION_KEYS, probeHost, type ProbeHostOptions } from './probe-host.js';
import { resolveTarget, type FleetTarget } from './targets.js';

/**
 * What a run needs from its host; every field optional, all must hold. Bytes are bytes.
 *
 * @example
 * ```ts
 * const need: HostNeed = { memAvailableBytes: 8 * 2 ** 30, gpuMemoryFreeBytes: 20 * 2 ** 30, agent: 'claude' };
 * ```
 */
export const HostNeedSchema = z.strictObject({
  /** Free memory per run. Each run this process already has on the host is assumed to take this much too. */
  memAvailableBytes: z.number().nonnegative().optional(),
  /** Free space on the filesystem of `diskPath`. */
  freeDiskBytes: z.number().nonnegative().optional(),
  /** Free memory (total − used) on at least one GPU. */
  gpuMemoryFreeBytes: z.number().nonnegative().optional(),
  /** An agent binary that must be on the run's PATH (it is added to the probe's `agents`). */
  agent: z.string().min(1).optional(),
});
/**
 * See `HostNeedSchema`.
 *
 * @example
 * ```ts
 * const need: HostNeed = { memAvailableBytes: 8 * 2 ** 30, gpuMemoryFreeBytes: 20 * 2 ** 30, agent: 'claude' };
 * ```
 */
export type HostNeed = z.infer<typeof HostNeedSchema>;

/**
 * How {@link pickHost} ranks the hosts that fit:
 * - `'least-loaded'`: lowest `(load1 + runs) / cpus`, where `runs` are the runs this process has
 *   on that machine now (they may not show in a cached `load1` yet);
 * - `'most-free-memory'`: most `memAvailableBytes` left after the reservation of `need`.
 * Ties go to the earlier candidate.
 *
 * @example
 * ```ts
 * const strategy: PlacementStrategy = 'most-free-memory';
 * ```
 */
export type PlacementStrategy = 'least-loaded' | 'most-free-memory';

/**
 * Options of {@link pickHost}: the need, the strategy, and everything {@link probeHost} takes.
 *
 * @example
 * ```ts
 * const options: PickHostOptions = { need: { memAvailableBytes: 8 * 2 ** 30, agent: 'claude' }, strategy: 'least-loaded', cacheTtlMs: 10_000 };
 * ```
 */
export interface PickHostOptions extends Omit<ProbeHostOptions, 'agents'> {
  /** @default {} (any reachable host fits) */
  need?: HostNeed;
  /** @default 'least-loaded' */
  strategy?: PlacementStrategy;
  /** Further agents to look up on every candidate (`need.agent` is always looked up). @default [] */
  agents?: readonly string[];
}

const PICK_HOST_OPTION_KEYS = optionKeys<PickHostOptions>()({
  ...Object.fromEntries(PROBE_HOST_OPTION_KEYS.map((key) => [key, true])),
  need: true,
  strategy: true,
} as { [K in keyof Required<PickHostOptions>]: true });

/**
 * Why one candidate was not chosen.
 *
 * @example
 * ```ts
 * const rejection: HostRejection = { remoteId: 'gpu-2', reasons: ['gpu: at most 1.0 GiB free, needs 20.0 GiB'] };
 * ```
 */
export interface HostRejection {
  remoteId: string;
  /** Human-readable, one per unmet need (or the one reason it could not be probed). */
  reasons: string[];
  /** The probe failed: why, as `runWithSsh` classified it (`auth-failed`, `connection-refused`, …). */
  errorKind?: string;
}

/**
 * The `NO_SUITABLE_HOST` error of {@link pickHost}: every candidate, and why it was rejected.
 * `instanceof SshWrapError` holds.
 *
 * @example
 * ```ts
 * try { await pickHost(ids, store, { need }); }
 * catch (error) { if (error instanceof NoSuitableHostError) for (const r of error.rejections) console.log(r.remoteId, r.reasons); }
 * ```
 */
export class NoSuitableHostError extends SshWrapError {
  readonly rejections: readonly HostRejection[];

  constructor(rejections: readonly HostRejection[]) {
    const lines = rejections.map((rejection) => `  ${rejection.remoteId}: ${rejection.reasons.join('; ')}`);
    super('NO_SUITABLE_HOST', `No candidate host fits:\n${lines.join('\n')}`, {
      hint: 'Lower the need, add hosts, or wait for runs to finish (cached facts are refreshed after cacheTtlMs).',
    });
    this.name = 'NoSuitableHostError';
    this.rejections = rejections;
  }
}

const GiB = 2 ** 30;
const gib = (bytes: number): string => `${(bytes / GiB).toFixed(1)} GiB`;

interface Fit {
  remoteId: string;
  facts: HostFacts;
  score: number;
  runs: number;
}

/**
 * Unmet needs of one host, as reasons; empty when it fits. `runs`: this process's runs there,
 * each assumed to take `need.memAvailableBytes` too.
 *
 * @example
 * ```ts
 * unmetNeeds(facts, { agent: 'claude' }, 0); // ['agent: claude not on the PATH'] when it is missing
 * ```
 */
export function unmetNeeds(facts: HostFacts, need: HostNeed, runs: number): string[] {
  const reasons: string[] = [];
  if (need.memAvailableBytes !== undefined) {
    if (facts.memAvailableBytes === null) reasons.push('available memory unknown');
    else {
      const left = facts.memAvailableBytes - runs * need.memAvailableBytes;
      const available = runs ? `${gib(Math.max(0, left))} left of ${gib(facts.memAvailableBytes)} available after ${runs} run${runs > 1 ? 's' : ''} here` : `${gib(left)} available`;
      if (left < need.memAvailableBytes) reasons.push(`memory: ${available}, needs ${gib(need.memAvailableBytes)}`);
    }
  }
  if (need.freeDiskBytes !== undefined) {
    if (facts.disk.freeBytes === null) reasons.push(`free disk at ${facts.disk.path || '?'} unknown`);
    else if (facts.disk.freeBytes < need.freeDiskBytes) reasons.push(`disk: ${gib(facts.disk.freeBytes)} free at ${facts.disk.path}, needs ${gib(need.freeDiskBytes)}`);
  }
  if (need.gpuMemoryFreeBytes !== undefined) {
    const best = Math.max(-1, ...facts.gpus.map((gpu) => gpu.memoryTotalBytes - gpu.memoryUsedBytes));
    if (facts.gpus.length === 0) reasons.push('gpu: none (no nvidia-smi)');
    else if (best < need.gpuMemoryFreeBytes) reasons.push(`gpu: at most ${gib(best)} free, needs ${gib(need.gpuMemoryFreeBytes)}`);
  }
  if (need.agent !== undefined && !facts.agents[need.agent]) reasons.push(`agent: ${need.agent} not on the PATH`);
  return reasons;
}

function score(facts: HostFacts, runs: number, strategy: PlacementStrategy, need: HostNeed): number {
  if (strategy === 'most-free-memory') return -((facts.memAvailableBytes ?? 0) - runs * (need.memAvailableBytes ?? 0));
  // Unknown cpus or load: counted as one CPU and no load, so such a host is neither favoured nor hidden.
  return ((facts.load1 ?? 0) + runs) / (facts.cpus ?? 1);
}

/**
 * Chooses the host for a run: probes every candidate (in parallel, through the facts cache),
 * drops those that are unreachable or miss `need`, and ranks the rest by `strategy`. It counts
 * the runs this process has on each machine right now (the connection pool's leases, plus
 * `runOnMany`'s unpooled runs; see `runsOnHost`), not only what the probe saw.
 *
 * @throws {SshWrapError} for bad input (nothing spawned): `INVALID_CONFIG` (options, `need`, an
 *   empty candidate list), `REMOTE_NOT_FOUND`; {@link NoSuitableHostError} (`NO_SUITABLE_HOST`)
 *   when no candidate fits, with the reasons of each (unreachable ones with their `errorKind`).
 * @example
 * ```ts
 * const { remoteId, facts } = await pickHost(['gpu-1', 'gpu-2', 'gpu-3'], store, {
 *   need: { gpuMemoryFreeBytes: 20 * 2 ** 30, agent: 'claude' },
 *   strategy: 'most-free-memory',
 * });
 * await runWithSsh(config, { enabled: true, remoteId }, store, { multiplex: true });
 * ```
 */
export async function pickHost(
  candidates: readonly FleetTarget[],
  store: SshRemoteStoreAdapter,
  options: PickHostOptions = {},
): Promise<{ remoteId: string; facts: HostFacts }> {
  assertKnownOptions(options, PICK_HOST_OPTION_KEYS, 'pickHost options');
  const { need: rawNeed = {}, strategy = 'least-loaded', agents = [], ...probe } = options;
  const need = parseWith(HostNeedSchema, rawNeed, 'need', 'need');
  if (strategy !== 'least-loaded' && strategy !== 'most-free-memory') {
    throw new SshWrapError('INVALID_CONFIG', `Unknown strategy ${JSON.stringify(strategy)}`, { field: 'strategy', hint: "Use 'least-loaded' or 'most-free-memory'." });
  }
  if (!Array.isArray(candidates) || candidates.length === 0) throw new SshWrapError('INVALID_CONFIG', 'pickHost needs at least one candidate', { field: 'candidates' });
  const probeAgents = need.agent === undefined || agents.includes(need.agent) ? agents : [...agents, need.agent];
  // All resolved before any probe: a bad id or config throws with nothing spawned.
  const resolved = await Promise.all(candidates.map((candidate) => resolveTarget(candidate, store)));
  const pool = probe.connectionPool ?? defaultConnectionPool;

  const outcomes = await Promise.all(
    resolved.map(async ({ remote }): Promise<Fit | HostRejection> => {
      let facts: HostFacts;
      try {
        facts = await probeHost(remote, store, { ...probe, agents: probeAgents });
      } catch (error) {
        if (!(error instanceof SshWrapError) || error.code !== 'PROBE_FAILED') throw error;
        const errorKind = (error.cause as { errorKind?: string } | undefined)?.errorKind;
        return { remoteId: remote.id, reasons: [`unreachable: ${error.message}`], ...(errorKind ? { errorKind } : {}) };
      }
      const runs = runsOnHost(remote, pool);
      const reasons = unmetNeeds(facts, need, runs);
      if (reasons.length > 0) return { remoteId: remote.id, reasons };
      return { remoteId: remote.id, facts, runs, score: score(facts, runs, strategy, need) };
    }),
  );
  const fits = outcomes.filter((outcome): outcome is Fit => 'facts' in outcome);
  if (fits.length === 0) throw new NoSuitableHostError(outcomes as HostRejection[]);
  // Array.prototype.sort is stable: equal scores keep the candidates' order.
  const [best] = [...fits].sort((a, b) => a.score - b.score);
  return { remoteId: best!.remoteId, facts: best!.facts };
}
