import { z } from 'zod';
import { toSshWrapError } from '../schemas/index.js';

/** Seconds an idle master stays up after its last session (`ControlPersist`). */
export const DEFAULT_PERSIST_SECONDS = 60;
/** Sessions per master before another master slot opens: sshd's default `MaxSessions`. */
export const DEFAULT_MAX_SESSIONS_PER_MASTER = 10;
/**
 * Leases one host serves at once. Below sshd's default `MaxStartups 10:30:100`, where sshd
 * starts dropping unauthenticated connections, so a burst of cold connections (Windows, a master
 * being replaced) cannot trip it.
 */
export const DEFAULT_MAX_CONCURRENT_PER_HOST = 8;

/**
 * The object form of the `multiplex` option, with its defaults.
 *
 * @example
 * ```ts
 * MultiplexSettingsSchema.parse({}); // { persistSeconds: 60, maxSessionsPerMaster: 10, maxConcurrentPerHost: 8 }
 * ```
 */
export const MultiplexSettingsSchema = z.strictObject({
  /** `ControlPersist` of the masters sshwrap starts, in seconds (whole seconds, 1 s to 7 days). @default 60 */
  persistSeconds: z.number().int().min(1).max(7 * 86_400).default(DEFAULT_PERSIST_SECONDS),
  /**
   * Sessions one master carries before the next lease opens another master for the same remote.
   * Keep it at or below the server's `MaxSessions` (sshd default 10). @default 10
   */
  maxSessionsPerMaster: z.number().int().min(1).max(1_000).default(DEFAULT_MAX_SESSIONS_PER_MASTER),
  /**
   * Leases one host (host and port) serves at once; more wait in FIFO order. A long-running
   * process holds its lease until it exits, so raise this for many long-lived agents. @default 8
   */
  maxConcurrentPerHost: z.number().int().min(1).max(10_000).default(DEFAULT_MAX_CONCURRENT_PER_HOST),
});

/**
 * `multiplex` on wrapSpawnWithSsh / spawnWithSsh / runWithSsh / testConnection: `true` pools
 * connections with the defaults, an object tunes them, `false` or absent turns pooling off.
 *
 * @example
 * ```ts
 * const multiplex: MultiplexOption = { persistSeconds: 300, maxConcurrentPerHost: 16 };
 * ```
 */
export const MultiplexOptionSchema = z.union([z.boolean(), MultiplexSettingsSchema]);

/**
 * What the `multiplex` option accepts (see `MultiplexOptionSchema`).
 *
 * @example
 * ```ts
 * const multiplex: MultiplexOption = { persistSeconds: 120, maxSessionsPerMaster: 9 };
 * ```
 */
export type MultiplexOption = z.input<typeof MultiplexOptionSchema>;
/**
 * The `multiplex` option with every default filled in.
 *
 * @example
 * ```ts
 * const settings: MultiplexSettings = { persistSeconds: 60, maxSessionsPerMaster: 8, maxConcurrentPerHost: 8 };
 * ```
 */
export type MultiplexSettings = z.output<typeof MultiplexSettingsSchema>;

const DEFAULT_SETTINGS: MultiplexSettings = Object.freeze(MultiplexSettingsSchema.parse({}));

/**
 * The settings for `option`, or `null` when pooling is off (`false`, `undefined`).
 *
 * @throws {SshWrapError} `INVALID_CONFIG` for a value out of range.
 * @example
 * ```ts
 * resolveMultiplexOption(true)?.persistSeconds; // 60
 * resolveMultiplexOption(false);                // null
 * ```
 */
export function resolveMultiplexOption(option: MultiplexOption | undefined): MultiplexSettings | null {
  if (option === undefined || option === false) return null;
  if (option === true) return DEFAULT_SETTINGS;
  const result = MultiplexSettingsSchema.safeParse(option);
  if (!result.success) throw toSshWrapError(result.error, 'multiplex option');
  return result.data;
}
