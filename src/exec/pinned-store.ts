import { resolveSshRemote, type SshRemoteStoreAdapter } from '../resolve/store-adapters.js';
import type { AgentSshRemoteConfig } from '../schemas/index.js';

/**
 * Resolves the agent's remote once for a whole run and returns a store that always answers with
 * that same object, so the askpass bridge, the pool lease and the wrap cannot see different
 * versions of a live store (and the store is read once, not three times). When there is nothing
 * to pin (SSH off, unknown or invalid remote) the original store is returned and the wrap
 * reports the problem with its usual error.
 */
export async function pinRemote(agentSsh: AgentSshRemoteConfig | null | undefined, store: SshRemoteStoreAdapter): Promise<SshRemoteStoreAdapter> {
  const remote = await resolveSshRemote(agentSsh, store).catch(() => null);
  if (!remote) return store;
  return {
    getSshRemotes: () => [remote],
    getSshRemoteById: (id) => (id === remote.id ? remote : undefined),
  };
}
