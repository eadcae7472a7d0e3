import { SshWrapError } from '../errors/index.js';
import { resolveSshRemote, type SshRemoteStoreAdapter } from '../resolve/index.js';
import { parseAgentSshRemoteConfig, type AgentSshRemoteConfig } from '../schemas/index.js';
import { defaultConnectionPool, type AcquireOptions, type ConnectionPool } from './connection-pool.js';
import type { Lease } from './lease.js';
import { resolveMultiplexOption, type MultiplexOption } from './multiplex-option.js';

/** {@link acquireForAgent} options: the acquire options plus which pool. */
export interface AgentLeaseOptions extends AcquireOptions {
  /** @default defaultConnectionPool */
  connectionPool?: ConnectionPool | undefined;
}

/**
 * The lease for one run of an agent, resolved the way wrapSpawnWithSsh resolves the remote; or
 * `undefined` when there is nothing to pool: `multiplex` off, SSH off for this agent, or a remote
 * the wrap layer will reject itself (unknown or disabled: it throws `REMOTE_NOT_FOUND`, or runs
 * locally with `fallbackToLocal`). Pass `lease.managedSshOptions` on to the wrap, release the
 * lease when ssh has exited.
 *
 * @throws {SshWrapError} `INVALID_CONFIG` for a bad `multiplex` value (even when SSH is off), or
 *   a bad stored remote; rejects with `signal.reason` when aborted while waiting.
 * @example
 * ```ts
 * const lease = await acquireForAgent(agentSsh, store, options.multiplex, { signal });
 * try { ... } finally { lease?.release(); }
 * ```
 */
export async function acquireForAgent(
  agentSsh: AgentSshRemoteConfig | null | undefined,
  store: SshRemoteStoreAdapter,
  multiplex: MultiplexOption | undefined,
  options: AgentLeaseOptions = {},
): Promise<Lease | undefined> {
  if (resolveMultiplexOption(multiplex) === null) return undefined;
  let remote;
  try {
    remote = await resolveSshRemote(agentSsh == null ? null : parseAgentSshRemoteConfig(agentSsh), store);
  } catch (error) {
    if (error instanceof SshWrapError && error.code === 'REMOTE_NOT_FOUND') return undefined;
    throw error;
  }
  if (remote === null) return undefined;
  const { connectionPool, ...acquire } = options;
  return (connectionPool ?? defaultConnectionPool).acquire(remote, multiplex, acquire);
}

/** The parts of a finished run {@link retryOnFreshMaster} looks at (an `SshRunResult` fits). */
export interface RunEnd {
  exitCode: number | null;
  /** The remote script reported its pid: the remote side started, so the run must not be repeated. */
  remotePid?: number | undefined;
  aborted?: boolean;
  timedOut?: boolean;
}

/**
 * Whether a pooled run that failed should be run once more: ssh exited 255 before the remote
 * script even reported its pid (so nothing ran remotely and repeating it is safe), and the
 * lease's master turned out to be dead (it is then forgotten, so the retry gets a fresh one).
 * OpenSSH 9.2 replaces a dead master by itself for new runs; this covers runs that raced with
 * the master dying. Call it at most once per run.
 *
 * @example
 * ```ts
 * let result = await runOnce(leased);
 * if (await retryOnFreshMaster(lease, result)) result = await runOnce(leased);
 * ```
 */
export async function retryOnFreshMaster(lease: Lease, run: RunEnd): Promise<boolean> {
  if (lease.controlPath === undefined || run.exitCode !== 255 || run.remotePid !== undefined || run.aborted || run.timedOut) return false;
  return lease.masterFailed();
}

/**
 * `options` with the lease's ssh options added to `managedSshOptions` (the caller's own
 * managedSshOptions win on a name clash). Unchanged when there is no lease.
 *
 * @example
 * ```ts
 * const wrapped = await wrapSpawnWithSsh(config, agentSsh, store, withLeaseOptions(options, lease));
 * ```
 */
export function withLeaseOptions<T extends { managedSshOptions?: Record<string, string> | undefined; multiplex?: MultiplexOption | undefined }>(options: T, lease: Lease | undefined): T {
  // The lease already decided multiplexing; the wrap below must not lease a second time.
  const decided = { ...options, multiplex: undefined };
  if (!lease || Object.keys(lease.managedSshOptions).length === 0) return decided;
  return { ...decided, managedSshOptions: { ...lease.managedSshOptions, ...options.managedSshOptions } };
}
