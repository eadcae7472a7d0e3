import { resolveSshRemote, type SshRemoteStoreAdapter } from '../resolve/index.js';
import {
  assertSshPathOption,
  parseAgentSshRemoteConfig,
  parseSshSpawnWrapConfig,
  type AgentSshRemoteConfig,
  type ParsedSshSpawnWrapConfig,
  type SshRemoteConfig,
  type SshSpawnWrapConfig,
} from '../schemas/index.js';
import { RunCallbacks } from './events.js';
import type { SshSpawnWrapResult } from '../wrap/index.js';
import { acquireForAgent, withLeaseOptions, type Lease } from '../pool/index.js';
import { withRunAskpass } from './askpass-run.js';
import type { SpawnWithSshOptions } from './options.js';
import { pinRemote } from './pinned-store.js';
import { planSpawn, type SpawnPlan } from './start.js';
import { resolveAndWrap } from './wrap-spawn.js';

/**
 * A run set up to the point of spawning: config parsed, the remote pinned (one snapshot of the
 * store for the whole run), the askpass bridge and the pool lease applied to `options`.
 */
export interface PreparedRun<T extends SpawnWithSshOptions> {
  config: ParsedSshSpawnWrapConfig;
  agentSsh: AgentSshRemoteConfig | null | undefined;
  store: SshRemoteStoreAdapter;
  /** The pinned remote, `null` for a local run (or one the wrap will reject with its own error). */
  remote: SshRemoteConfig | null;
  /** Reports the run to the caller's `onEvent` and line callbacks. */
  callbacks: RunCallbacks;
  /** The caller's options with the askpass bridge and the lease's ssh options applied. */
  options: T;
  lease: Lease | undefined;
  /** The wait for a pooled slot was cut by `leaseSignal`; there is no lease. */
  leaseAborted: boolean;
  /** Gives the pool slot back (idempotent); call when ssh has exited. */
  releaseLease(): void;
  /** Releases the lease and closes a bridge made for this run (idempotent). */
  release(): Promise<void>;
}

/**
 * The one set-up chain of every run: parse → pin the remote → askpass → lease. Everything
 * acquired is released again if a later step throws.
 *
 * @param leaseSignal Stops waiting for a pooled slot (`leaseAborted: true` then, no throw).
 */
export async function prepareRun<T extends SpawnWithSshOptions>(
  config: SshSpawnWrapConfig,
  agentSsh: AgentSshRemoteConfig | null | undefined,
  store: SshRemoteStoreAdapter,
  options: T,
  leaseSignal?: AbortSignal,
): Promise<PreparedRun<T>> {
  const parsed = parseSshSpawnWrapConfig(config);
  // Checked before the pool may start a master with them.
  assertSshPathOption(options.sshPath, 'sshPath');
  assertSshPathOption(options.sshConfigFile, 'sshConfigFile');
  const pinned = await pinRemote(agentSsh, store);
  const callbacks = new RunCallbacks(options.onEvent);
  let remote: SshRemoteConfig | null = null;
  try {
    remote = await resolveSshRemote(agentSsh == null ? null : parseAgentSshRemoteConfig(agentSsh), pinned);
    callbacks.emit({ type: 'resolve', remoteId: remote?.id ?? null, host: remote?.host ?? null });
  } catch {
    // Unknown, disabled or invalid: the wrap below throws the error the caller should see.
  }
  const askpass = await withRunAskpass(agentSsh, pinned, options);
  let lease: Lease | undefined;
  let leaseAborted = false;
  try {
    const leased = askpass.options;
    lease = await acquireForAgent(agentSsh, pinned, leased.multiplex, {
      connectionPool: leased.connectionPool,
      sshPath: leased.sshPath,
      sshConfigFile: leased.sshConfigFile,
      allowUnsafeOptions: leased.allowUnsafeOptions,
      env: leased.env,
      managedSshOptions: leased.managedSshOptions,
      executor: leased.executor,
      signal: leaseSignal,
    });
  } catch (error) {
    if (!leaseSignal?.aborted) {
      await askpass.release();
      throw error;
    }
    leaseAborted = true;
  }
  let released = false;
  const releaseLease = (): void => lease?.release();
  return {
    config: parsed,
    agentSsh,
    store: pinned,
    remote,
    callbacks,
    options: withLeaseOptions(askpass.options, lease),
    lease,
    leaseAborted,
    releaseLease,
    async release() {
      releaseLease();
      if (released) return;
      released = true;
      await askpass.release();
    },
  };
}

/** Wraps a prepared run (with per-attempt options such as the marker token) and plans the spawn. */
export async function wrapPrepared<T extends SpawnWithSshOptions>(
  prepared: PreparedRun<T>,
  attempt: Partial<SpawnWithSshOptions> = {},
): Promise<{ wrapped: SshSpawnWrapResult; plan: SpawnPlan }> {
  const options = { ...prepared.options, ...attempt };
  const wrapped = await resolveAndWrap(prepared.config, prepared.agentSsh, prepared.store, options);
  return { wrapped, plan: planSpawn(wrapped, prepared.config, options) };
}
