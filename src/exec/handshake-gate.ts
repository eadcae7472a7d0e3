import { SshWrapError } from '../errors/index.js';
import { Semaphore, type Lease } from '../pool/index.js';
import type { SshRemoteConfig } from '../schemas/index.js';

/**
 * Default for `maxConcurrentHandshakesPerHost`: below the start value of sshd's default
 * `MaxStartups 10:30:100`, above which sshd drops new unauthenticated connections at random.
 */
export const DEFAULT_MAX_CONCURRENT_HANDSHAKES_PER_HOST = 8;

// One gate per host and port for the whole process: every runner of every caller shares the
// server's budget of unauthenticated connections.
const gates = new Map<string, Semaphore>();

/**
 * Checks a `maxConcurrentHandshakesPerHost` value: a positive integer, or `Infinity` for no limit.
 *
 * @throws {SshWrapError} `INVALID_CONFIG` otherwise.
 */
export function checkHandshakeLimit(value: number | undefined): void {
  if (value === undefined || value === Infinity || (Number.isInteger(value) && value >= 1)) return;
  throw new SshWrapError('INVALID_CONFIG', 'maxConcurrentHandshakesPerHost must be a positive integer or Infinity', {
    field: 'maxConcurrentHandshakesPerHost',
  });
}

/** The gate's key: sshd's `MaxStartups` counts per server, i.e. per host and port. */
export function handshakeKey(remote: Pick<SshRemoteConfig, 'host' | 'port'>): string {
  return `${remote.host.toLowerCase()}:${remote.port}`;
}

/**
 * Waits until this run may open a new ssh connection to `remote` and resolves with the function
 * that gives the slot back (idempotent). Callers hold the slot from spawning ssh until the
 * remote script's first status line (`pid`: the session is authenticated and running) or the end
 * of the attempt, whichever comes first, so at most `limit` handshakes per host are in flight;
 * connected runs hold nothing.
 *
 * No wait, and nothing to release, when there is no handshake to make: a local run, or a pooled
 * run (its lease has a master socket; the pool gates the master's own handshake). `limit` is the
 * latest caller's: callers with different values share one gate per host.
 *
 * Rejects with `signal.reason` when the signal aborts first (nothing is held then).
 */
export async function acquireHandshakeSlot(
  remote: Pick<SshRemoteConfig, 'host' | 'port'> | null,
  lease: Lease | undefined,
  limit: number | undefined,
  signal: AbortSignal | undefined,
): Promise<() => void> {
  const effective = limit ?? DEFAULT_MAX_CONCURRENT_HANDSHAKES_PER_HOST;
  if (remote === null || lease?.controlPath !== undefined || effective === Infinity) return () => {};
  const key = handshakeKey(remote);
  let gate = gates.get(key);
  if (!gate) {
    gate = new Semaphore(effective);
    gates.set(key, gate);
  } else if (gate.limit !== effective) {
    gate.limit = effective;
  }
  await gate.acquire(signal);
  const held = gate;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    held.release();
    // Forget an idle host: a long-lived process that talks to many hosts keeps no gate per host.
    if (held.active === 0 && held.waiting === 0 && gates.get(key) === held) gates.delete(key);
  };
}

/** Slots held and callers waiting for `remote` right now (tests, diagnostics). */
export function handshakeGateState(remote: Pick<SshRemoteConfig, 'host' | 'port'>): { active: number; waiting: number; limit: number | undefined } {
  const gate = gates.get(handshakeKey(remote));
  return { active: gate?.active ?? 0, waiting: gate?.waiting ?? 0, limit: gate?.limit };
}
