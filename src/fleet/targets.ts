import { createMemoryStoreAdapter, resolveSshRemote, type SshRemoteStoreAdapter } from '../resolve/index.js';
import { parseSshRemoteConfig, type AgentSshRemoteConfig, type SshRemoteConfig, type SshRemoteConfigInput } from '../schemas/index.js';

/**
 * A host of a fleet call: a remote id (looked up in the `store` you pass, like an agent's
 * `remoteId`) or a remote config itself.
 *
 * @example
 * ```ts
 * const targets: FleetTarget[] = ['gpu-1', { id: 'scratch', host: '10.0.0.7', username: 'dev' }];
 * ```
 */
export type FleetTarget = string | SshRemoteConfigInput | SshRemoteConfig;

/**
 * A target resolved once, up front: the remote, and a one-remote store + agent settings that select it.
 *
 * @example
 * ```ts
 * const { remote, hostKey, store, agentSsh }: ResolvedTarget = await resolveTarget('gpu-1', settingsStore);
 * ```
 */
export interface ResolvedTarget {
  remote: SshRemoteConfig;
  /** sshd counts per server: `host:port` in lower case, the key of `perHostConcurrency`. */
  hostKey: string;
  store: SshRemoteStoreAdapter;
  agentSsh: AgentSshRemoteConfig;
}

/**
 * `host:port` (host in lower case): one machine, whatever the user, the way the pool and the
 * handshake gate key their per-host limits.
 *
 * @example
 * ```ts
 * hostKeyOf({ host: 'GPU-1', port: 22 }); // 'gpu-1:22'
 * ```
 */
export function hostKeyOf(remote: Pick<SshRemoteConfig, 'host' | 'port'>): string {
  return `${remote.host.toLowerCase()}:${remote.port}`;
}

/**
 * Resolves one target: an id through `store` (unknown or disabled ids throw like a run would),
 * a config through the schema. The result pins the remote in its own store, so every later step
 * of the call sees the same remote even if the store changes meanwhile.
 *
 * @throws {SshWrapError} `REMOTE_NOT_FOUND` for an unknown or disabled id; `INVALID_CONFIG` /
 *   `UNSAFE_ARGUMENT` for a bad config.
 * @example
 * ```ts
 * const { remote, store, agentSsh } = await resolveTarget('gpu-1', settingsStore);
 * ```
 */
export async function resolveTarget(target: FleetTarget, store: SshRemoteStoreAdapter): Promise<ResolvedTarget> {
  // `passphrase` is non-enumerable on parsed remotes, so a spread alone would drop it.
  const remote =
    typeof target === 'string'
      ? (await resolveSshRemote({ enabled: true, remoteId: target }, store))!
      : parseSshRemoteConfig({ ...target, passphrase: target.passphrase });
  return { remote, hostKey: hostKeyOf(remote), store: createMemoryStoreAdapter([remote]), agentSsh: { enabled: true, remoteId: remote.id } };
}
