import { passphraseAskpass, type Askpass } from '../auth/index.js';
import { resolveSshRemote, type SshRemoteStoreAdapter } from '../resolve/store-adapters.js';
import type { AgentSshRemoteConfig } from '../schemas/index.js';
import type { SpawnWithSshOptions } from './options.js';

/** Options with an askpass bridge applied, and what to do when the run is over. */
export interface RunAskpass<T> {
  options: T;
  /** Closes a bridge created for this run (a caller's own `askpass` is left open). */
  release(): Promise<void>;
}

/**
 * Lets a run answer passphrase prompts: the caller's `askpass`, or, when the remote carries a
 * `passphrase`, a bridge made for this run only. The passphrase then reaches ssh through the
 * bridge's private socket, never an argv or an environment variable.
 */
export async function withRunAskpass<T extends SpawnWithSshOptions>(
  agentSsh: AgentSshRemoteConfig | null | undefined,
  store: SshRemoteStoreAdapter,
  options: T,
): Promise<RunAskpass<T>> {
  let askpass: Askpass | undefined = options.askpass;
  let owned = false;
  if (!askpass) {
    // Resolution errors are reported by the wrap that follows, with the same message.
    const remote = await resolveSshRemote(agentSsh, store).catch(() => null);
    if (remote?.passphrase !== undefined && remote.remotePlatform !== 'windows') {
      askpass = await passphraseAskpass(remote.passphrase).catch(() => undefined);
      owned = askpass !== undefined;
    }
  }
  if (!askpass) return { options, release: async () => undefined };
  const bridge = askpass;
  return {
    options: {
      ...options,
      managedSshOptions: { ...options.managedSshOptions, ...bridge.sshOptions },
      env: { ...(options.env ?? process.env), ...bridge.env },
    },
    release: owned ? () => bridge.close() : async () => undefined,
  };
}
