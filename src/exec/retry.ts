import type { SshFailureKind } from '../classify/index.js';
import { SshWrapError } from '../errors/index.js';
import { retryOnFreshMaster, type Lease } from '../pool/index.js';
import { assertKnownOptions, optionKeys } from '../schemas/index.js';
import type { SshRunResult } from './result.js';

/**
 * How `runWithSsh` repeats a run that failed before its command started. `attempts` counts every
 * try, the first one included: `{ attempts: 3 }` is the first try plus at most two retries.
 *
 * @example
 * ```ts
 * const retry: RetryOption = { attempts: 5, minDelayMs: 200, maxDelayMs: 5_000 };
 * ```
 */
export interface RetryOption {
  /** Tries in all, the first one included (1 = never retry). An integer from 1 to `MAX_RETRY_ATTEMPTS` (20). @default 3 */
  attempts?: number;
  /** Shortest wait before a retry, and the base of the exponential growth, in ms. @default 100 */
  minDelayMs?: number;
  /** Longest wait before a retry, in ms. @default 2000 */
  maxDelayMs?: number;
}

/** A {@link RetryOption} with every field filled in. */
export type RetryPolicy = Required<RetryOption>;

/** The policy when `retry` is not given. */
export const DEFAULT_RETRY: Readonly<RetryPolicy> = Object.freeze({ attempts: 3, minDelayMs: 100, maxDelayMs: 2_000 });

/** Upper bound for `retry.attempts`: retrying is for blips, not for waiting out an outage. */
export const MAX_RETRY_ATTEMPTS = 20;

const RETRY_KEYS = optionKeys<RetryOption>()({ attempts: true, minDelayMs: true, maxDelayMs: true });

/**
 * Failures that happen before sshd ran anything for this run and that may go away by themselves:
 * a port nobody listens on yet (sshd restarting), and a connection sshd closed or reset during the
 * handshake (`MaxStartups` dropping connections in a burst, `kex_exchange_identification: read:
 * Connection reset by peer`). Everything else will fail the same way again (auth, host key, dns,
 * key file, agent-not-found, cwd-missing) or already used up its time (`timeout`).
 */
export const RETRYABLE_FAILURE_KINDS: ReadonlySet<SshFailureKind> = new Set<SshFailureKind>(['connection-refused', 'connection-closed']);

function invalid(field: string, message: string): SshWrapError {
  return new SshWrapError('INVALID_CONFIG', `${field} ${message}`, { field });
}

/**
 * The policy for a `retry` option value: `undefined` gives {@link DEFAULT_RETRY}, `false` one try
 * and no retry, an object overrides the defaults field by field.
 *
 * @throws {SshWrapError} `INVALID_CONFIG` for an unknown key, `attempts` that is not an integer
 *   from 1 to `MAX_RETRY_ATTEMPTS` (20), a negative or non-finite delay, or `maxDelayMs` below `minDelayMs`.
 * @example
 * ```ts
 * resolveRetry(false); // { attempts: 1, minDelayMs: 100, maxDelayMs: 2000 }
 * ```
 */
export function resolveRetry(option: RetryOption | false | undefined): RetryPolicy {
  if (option === undefined) return { ...DEFAULT_RETRY };
  if (option === false) return { ...DEFAULT_RETRY, attempts: 1 };
  if (typeof option !== 'object' || option === null) throw invalid('retry', 'must be false or { attempts?, minDelayMs?, maxDelayMs? }');
  assertKnownOptions(option, RETRY_KEYS, 'retry');
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...Object.fromEntries(Object.entries(option).filter(([, value]) => value !== undefined)) };
  if (!Number.isInteger(policy.attempts) || policy.attempts < 1 || policy.attempts > MAX_RETRY_ATTEMPTS) {
    throw invalid('retry.attempts', `must be an integer from 1 to ${MAX_RETRY_ATTEMPTS} (tries in all, the first included)`);
  }
  for (const name of ['minDelayMs', 'maxDelayMs'] as const) {
    if (typeof policy[name] !== 'number' || !Number.isFinite(policy[name]) || policy[name] < 0) throw invalid(`retry.${name}`, 'must be a non-negative number');
  }
  if (policy.maxDelayMs < policy.minDelayMs) throw invalid('retry.maxDelayMs', 'must not be below retry.minDelayMs');
  return policy;
}

/**
 * The wait before retry number `retry` (1 = the first retry): uniformly random ("full jitter")
 * between `minDelayMs` and a ceiling that doubles per retry from `2 × minDelayMs`, capped at
 * `maxDelayMs`. The randomness spreads a burst of failed runs apart, so they do not all come
 * back at the same moment and fail again together.
 *
 * @param random A source of numbers in [0, 1) (tests pass a fixed one). @default Math.random
 * @example
 * ```ts
 * retryDelay(DEFAULT_RETRY, 1); // 100..200
 * retryDelay(DEFAULT_RETRY, 5); // 100..2000
 * ```
 */
export function retryDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** Math.min(retry, 30));
  return Math.round(policy.minDelayMs + random() * Math.max(0, ceiling - policy.minDelayMs));
}

/** Why an attempt is run again: the failure, and whether waiting first would help. */
export interface RetryReason {
  errorKind: SshFailureKind;
  /** The pooled master was dead and is forgotten: the next attempt connects afresh, no wait needed. */
  freshMaster: boolean;
}

/**
 * Why an attempt that ended like `result` may be run again, or `undefined` when it must not be.
 * Only an attempt whose remote script never reported anything qualifies: no `pid` marker, so no
 * `started` either; sshd had not started the remote script, so nothing can run twice. Then the
 * failure must be one of {@link RETRYABLE_FAILURE_KINDS}, or (pooled runs) ssh failed because the
 * lease's master had died, which {@link retryOnFreshMaster} confirms and forgets, so the next
 * attempt connects afresh.
 */
export async function retryReason(result: SshRunResult, lease: Lease | undefined): Promise<RetryReason | undefined> {
  // The caller stopped the run, or its time is up: a retry would defy both.
  if (result.aborted || result.timedOut || result.idleTimedOut) return undefined;
  // The `started` marker is the line between "safe to repeat" and "may run twice"; the pid marker
  // (the session is up, the script runs) comes before it, and is refused too.
  if (result.remoteStarted || result.remotePid !== undefined || result.errorKind === undefined) return undefined;
  // A pooled run's failure is checked against its master first: a dead one is forgotten here.
  if (lease && (await retryOnFreshMaster(lease, result))) return { errorKind: result.errorKind, freshMaster: true };
  return RETRYABLE_FAILURE_KINDS.has(result.errorKind) ? { errorKind: result.errorKind, freshMaster: false } : undefined;
}
