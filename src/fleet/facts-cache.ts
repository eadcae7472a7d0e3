import { parseWith } from '../schemas/parse.js';
import { HostFactsSchema, type HostFacts } from './facts.js';

/** The disk path a probe reports on when none is given: the login directory, where runs start. */
export const DEFAULT_DISK_PATH = '~';

interface Entry {
  facts: HostFacts;
  at: number;
}

/**
 * Where a cached probe applies: the remote and the disk path it measured.
 *
 * @example
 * ```ts
 * const key: FactsCacheKey = { remoteId: 'gpu-1', diskPath: '~' };
 * ```
 */
export interface FactsCacheKey {
  /** The remote's id. */
  remoteId: string;
  /** @default '~' */
  diskPath?: string | undefined;
}

/**
 * Host facts by remote id (and disk path), with the time they were taken. `probeHost` and
 * `pickHost` read it before probing and fill it after; you can prefill it (facts you gathered
 * elsewhere, or fixed facts in tests) so placement runs without a probe.
 *
 * @example
 * ```ts
 * const cache = new HostFactsCache();
 * cache.set({ remoteId: 'gpu-1' }, facts);                          // validated against HostFactsSchema
 * await pickHost(['gpu-1', 'gpu-2'], store, { cache, need: { memAvailableBytes: 8 * 2 ** 30 } });
 * ```
 */
export class HostFactsCache {
  readonly #entries = new Map<string, Entry>();

  static #key(key: FactsCacheKey): string {
    return `${key.remoteId}\0${key.diskPath ?? DEFAULT_DISK_PATH}`;
  }

  /**
   * Stores facts taken at `at` (ms since the epoch).
   *
   * @throws {SshWrapError} `INVALID_CONFIG` when `facts` do not match {@link HostFactsSchema}.
   */
  set(key: FactsCacheKey, facts: HostFacts, at: number = Date.now()): void {
    this.#entries.set(HostFactsCache.#key(key), { facts: parseWith(HostFactsSchema, facts, 'host facts'), at });
  }

  /**
   * Facts younger than `maxAgeMs` that know every agent in `agents`, with `agents` narrowed to
   * exactly those; `undefined` otherwise (then a probe is due).
   */
  get(key: FactsCacheKey, maxAgeMs: number, agents: readonly string[] = [], now: number = Date.now()): HostFacts | undefined {
    const entry = this.#entries.get(HostFactsCache.#key(key));
    // Strictly younger: `maxAgeMs` 0 must never serve, even facts stored this same millisecond.
    if (!entry || now - entry.at >= maxAgeMs) return undefined;
    if (!agents.every((agent) => agent in entry.facts.agents)) return undefined;
    return { ...entry.facts, agents: Object.fromEntries(agents.map((agent) => [agent, entry.facts.agents[agent]!])) };
  }

  /** Forgets one remote (every disk path), or everything. */
  clear(remoteId?: string): void {
    if (remoteId === undefined) return this.#entries.clear();
    for (const key of [...this.#entries.keys()]) if (key.startsWith(`${remoteId}\0`)) this.#entries.delete(key);
  }
}

/** The cache `probeHost` and `pickHost` use when given none. */
export const defaultHostFactsCache = new HostFactsCache();
