import { SshWrapError } from '../errors/index.js';
import { parseSshRemoteConfig, type SshRemoteConfig, type SshRemoteConfigInput } from '../schemas/index.js';

/**
 * Where remotes come from. Maestro's adapter shape, so its stores plug in unchanged;
 * `getSshRemoteById` is optional and lets a store validate just the one being resolved.
 *
 * @example
 * ```ts
 * const store: SshRemoteStoreAdapter = { getSshRemotes: () => JSON.parse(fs.readFileSync('remotes.json', 'utf8')) };
 * ```
 */
export interface SshRemoteStoreAdapter {
  /** Every usable remote (adapters made by sshwrap return only entries that validate). */
  getSshRemotes(): ReadonlyArray<SshRemoteConfigInput | SshRemoteConfig> | Promise<ReadonlyArray<SshRemoteConfigInput | SshRemoteConfig>>;
  /** The remote with this id, validated; `undefined` when there is none. Throws when it is invalid. */
  getSshRemoteById?(id: string): SshRemoteConfig | undefined | Promise<SshRemoteConfig | undefined>;
}

/** Any key-value settings store: electron-store, conf, a `Map`, or a plain `{ get }` object. */
export interface SettingsStoreLike {
  get(key: string, defaultValue?: unknown): unknown;
  /** Present on writable stores (electron-store, conf, Map); enables {@link WritableSshRemoteStoreAdapter.setSshRemotes}. */
  set?(key: string, value: unknown): unknown;
}

/** A store adapter that can also save remotes. */
export interface WritableSshRemoteStoreAdapter extends SshRemoteStoreAdapter {
  /**
   * Validates and saves the remotes. `passphrase` is never written: keep it in the OS keychain
   * (or answer prompts through `createAskpass`) instead.
   */
  setSshRemotes(remotes: readonly unknown[]): void;
}

/**
 * What may be persisted of a remote: everything but `passphrase`.
 *
 * @example
 * ```ts
 * settings.set('sshRemotes', remotes.map(toStorableRemote));
 * ```
 */
export function toStorableRemote(remote: SshRemoteConfig): SshRemoteConfig {
  const { passphrase: _never, ...storable } = remote;
  return storable;
}

function withoutPassphrase(entry: unknown): unknown {
  if (typeof entry !== 'object' || entry === null) return entry;
  const { passphrase: _never, ...rest } = entry as Record<string, unknown>;
  return rest;
}

function hasId(entry: unknown, id: string): boolean {
  return typeof entry === 'object' && entry !== null && (entry as { id?: unknown }).id === id;
}

function validEntries(entries: readonly unknown[]): SshRemoteConfig[] {
  const valid: SshRemoteConfig[] = [];
  for (const entry of entries) {
    try {
      valid.push(parseSshRemoteConfig(entry));
    } catch {
      // One broken entry must not hide the others; it is reported when it is the one resolved.
    }
  }
  return valid;
}

function adapterOver(readEntries: () => readonly unknown[]): SshRemoteStoreAdapter {
  return {
    getSshRemotes: () => validEntries(readEntries()),
    getSshRemoteById: (id) => {
      const entry = readEntries().find((candidate) => hasId(candidate, id));
      return entry === undefined ? undefined : parseSshRemoteConfig(entry);
    },
  };
}

/**
 * Reads remotes from a settings store's `sshRemotes` key (as Maestro stores them), validating
 * each entry. Reads the store on every call, so edits are picked up without re-creating it.
 *
 * @example
 * ```ts
 * import Store from 'electron-store';
 * const remotes = createSshRemoteStoreAdapter(new Store());
 * await wrapSpawnWithSsh(config, agentSsh, remotes);
 * ```
 */
export function createSshRemoteStoreAdapter(settingsStore: SettingsStoreLike & { set(key: string, value: unknown): unknown }, key?: string): WritableSshRemoteStoreAdapter;
export function createSshRemoteStoreAdapter(settingsStore: SettingsStoreLike, key?: string): SshRemoteStoreAdapter;
export function createSshRemoteStoreAdapter(settingsStore: SettingsStoreLike, key = 'sshRemotes'): SshRemoteStoreAdapter | WritableSshRemoteStoreAdapter {
  const adapter = adapterOver(() => {
    const value = settingsStore.get(key, []);
    return Array.isArray(value) ? value : [];
  });
  const { set } = settingsStore;
  if (typeof set !== 'function') return adapter;
  return {
    ...adapter,
    setSshRemotes: (remotes) => {
      // Validate everything first, then write the caller's own objects (keys this library does
      // not know belong to the app and are kept), minus the passphrase.
      for (const remote of remotes) parseSshRemoteConfig(remote);
      set.call(settingsStore, key, remotes.map((remote) => withoutPassphrase(remote)));
    },
  };
}

/**
 * A store over a fixed list of remotes (tests, CLIs, apps that keep remotes themselves). The
 * entries are validated and copied when the adapter is created; later edits to those objects
 * are not seen (make a new adapter, or use {@link createSshRemoteStoreAdapter} over a live store).
 *
 * @example
 * ```ts
 * const store = createMemoryStoreAdapter([{ id: 'gpu-1', name: 'GPU', host: 'gpu-server', useSshConfig: true }]);
 * ```
 */
export function createMemoryStoreAdapter(remotes: readonly unknown[]): SshRemoteStoreAdapter {
  // Validated once, when the adapter is made: the list is fixed, and lookups sit on the wrap hot path.
  const parsed = remotes.map((entry) => {
    try {
      return { id: (entry as { id?: unknown } | null)?.id, remote: parseSshRemoteConfig(entry) };
    } catch (error) {
      return { id: (entry as { id?: unknown } | null)?.id, error };
    }
  });
  return {
    getSshRemotes: () => parsed.flatMap((entry) => (entry.remote ? [entry.remote] : [])),
    getSshRemoteById: (id) => {
      const entry = parsed.find((candidate) => candidate.id === id);
      if (entry?.error) throw entry.error;
      return entry?.remote;
    },
  };
}

/** The remote id an agent points at, or `null` when the agent runs locally. */
export function remoteIdOf(agentSsh: { enabled: boolean; remoteId: string | null } | null | undefined): string | null {
  return agentSsh?.enabled && agentSsh.remoteId !== null ? agentSsh.remoteId : null;
}

/**
 * Picks the remote an agent should run on: `null` for local (SSH off or no remote selected),
 * the validated remote otherwise.
 *
 * @throws {SshWrapError} `REMOTE_NOT_FOUND` when the id is unknown or the remote is disabled
 *   (never a silent local run), `INVALID_CONFIG`/`UNSAFE_ARGUMENT` when the stored entry is bad.
 * @example
 * ```ts
 * const remote = await resolveSshRemote({ enabled: true, remoteId: 'gpu-1' }, store);
 * ```
 */
export async function resolveSshRemote(
  agentSsh: { enabled: boolean; remoteId: string | null } | null | undefined,
  store: SshRemoteStoreAdapter,
): Promise<SshRemoteConfig | null> {
  const id = remoteIdOf(agentSsh);
  if (id === null) return null;
  const found = store.getSshRemoteById ? await store.getSshRemoteById(id) : await findIn(store, id);
  if (!found) {
    throw new SshWrapError('REMOTE_NOT_FOUND', `SSH remote "${id}" is not configured; refusing to run locally instead`, {
      field: 'remoteId',
      hint: 'Pick an existing remote in the agent settings, or pass fallbackToLocal: true to run locally on purpose.',
    });
  }
  if (!found.enabled) {
    throw new SshWrapError('REMOTE_NOT_FOUND', `SSH remote "${id}" is disabled; refusing to run locally instead`, {
      field: 'remoteId',
      hint: 'Enable the remote, pick another one, or pass fallbackToLocal: true to run locally on purpose.',
    });
  }
  return found;
}

async function findIn(store: SshRemoteStoreAdapter, id: string): Promise<SshRemoteConfig | undefined> {
  const entry = (await store.getSshRemotes()).find((candidate) => hasId(candidate, id));
  return entry === undefined ? undefined : parseSshRemoteConfig(entry);
}
