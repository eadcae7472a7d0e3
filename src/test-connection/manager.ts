import { parseSshRemoteConfig, type SshRemoteConfig, type SshRemoteConfigInput } from '../schemas/index.js';
import type { SshRemoteStoreAdapter } from '../resolve/index.js';
import { testConnection } from './test-connection.js';
import type { SshRemoteTestResult, TestConnectionOptions } from './types.js';

/**
 * The remotes of one store, and connection tests for them (the reference doc's
 * `sshRemoteManager`).
 *
 * @example
 * ```ts
 * const sshRemoteManager = new SshRemoteManager(createSshRemoteStoreAdapter(settingsStore));
 * const result = await sshRemoteManager.testConnection('gpu-1', 'claude');
 * if (result.success) console.log('Connected to:', result.details?.hostname);
 * ```
 */
export class SshRemoteManager {
  constructor(
    private readonly store: SshRemoteStoreAdapter,
    private readonly defaults: TestConnectionOptions = {},
  ) {}

  /** Every valid remote in the store. */
  async list(): Promise<SshRemoteConfig[]> {
    return (await this.store.getSshRemotes()).map((entry) => parseSshRemoteConfig(entry));
  }

  /** The remote with this id, or `undefined`. */
  async get(id: string): Promise<SshRemoteConfig | undefined> {
    if (this.store.getSshRemoteById) return this.store.getSshRemoteById(id);
    return (await this.list()).find((remote) => remote.id === id);
  }

  /**
   * Tests a remote given as a config or by its id in the store. Never throws: an unknown id or
   * an invalid stored entry is a failed result. Disabled remotes are tested too (testing is how
   * one decides to enable them).
   */
  async testConnection(
    configOrId: string | SshRemoteConfigInput | SshRemoteConfig,
    agentCommand?: string,
    options: TestConnectionOptions = {},
  ): Promise<SshRemoteTestResult> {
    let config: SshRemoteConfigInput | SshRemoteConfig | undefined;
    if (typeof configOrId === 'string') {
      try {
        config = await this.get(configOrId);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { success: false, message, error: message };
      }
      if (!config) {
        const message = `SSH remote "${configOrId}" is not configured`;
        return { success: false, message, error: message };
      }
    } else {
      config = configOrId;
    }
    return testConnection(config, agentCommand, { ...this.defaults, ...options });
  }
}
