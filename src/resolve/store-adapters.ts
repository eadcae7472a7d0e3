import { SshWrapError } from '../errors/index.js';
import { assertKnownOptions, optionKeys, parseSshRemoteConfig, type SshRemoteConfig, type SshRemoteConfigInput } from '../schemas/index.js';
import { remoteWithoutPassphrase } from '../schemas/remote-config.js';

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

/**
 * Any key-value settings store: electron-store, conf, a `Map`, or a plain `{ get }` object.
 *
 * @example
 * ```ts
 * const settings: SettingsStoreLike = new Map<string, unknown>([['sshRemotes', []]]); // electron-store and conf fit too
 * ```
 */
export interface SettingsStoreLike {
  get(key: string, defaultValue?: unknown): unknown;
  /** Present on writable stores (electron-store, conf, Map); enables {@link WritableSshRemoteStoreAdapter.setSshRemotes}. */
  set?(key: string, value: unknown): unknown;
}

/**
 * A store adapter that can also save remotes.
 *
 * @example
 * ```ts
 * const store: WritableSshRemoteStoreAdapter = createSshRemoteStoreAdapter(new Map());
 * await store.setSshRemotes([{ id: 'gpu-1', host: 'gpu.example.com' }]);
 * ```
 */
export interface WritableSshRemoteStoreAdapter extends SshRemoteStoreAdapter {
  /**
   * Validates and saves the remotes. `passphrase` is never written: keep it in the OS keychain
   * (or answer prompts through `createAskpass`) instead.
   */
  setSshRemotes(remotes: readonly unknown[]): void;
}

/**
 * What may be persisted of a remote: everything but `passphrase` (see `remoteWithoutPassphrase`).
 *
 * @example
 * ```ts
 * settings.set('sshRemotes', remotes.map(toStorableRemote));
 * ```
 */
export function toStorableRemote(remote: SshRemoteConfig): SshRemoteConfig {
  return remoteWithoutPassphrase(remote);
}

/**
 * Options of {@link createMemoryStoreAdapter} (and, with `key`, of {@link createSshRemoteStoreAdapter}).
 *
 * @example
 * ```ts
 * const options: SshRemoteStoreAdapterOptions = { onInvalidRemote: (entry, error) => log.warn(`SSH remote skipped: ${error.message}`) };
 * ```
 */
export interface SshRemoteStoreAdapterOptions {
  /**
   * Called, during `getSshRemotes()`, once per stored entry that does not validate, which the
   * listing leaves out. `entry` is the stored value without its `passphrase` (safe to log);
   * `error` is the `INVALID_CONFIG`/`UNSAFE_ARGUMENT` error naming the field, the same that
   * resolving that entry by id throws. An exception thrown here propagates to the caller.
   * @default undefined (invalid entries are left out of the listing without notice)
   */
  onInvalidRemote?: (entry: unknown, error: SshWrapError) => void;
}

/**
 * Options of {@link createSshRemoteStoreAdapter}.
 *
 * @example
 * ```ts
 * createSshRemoteStoreAdapter(store, { key: 'remotes', onInvalidRemote: (_entry, error) => console.warn(error.message) });
 * ```
 */
export interface SettingsStoreAdapterOptions extends SshRemoteStoreAdapterOptions {
  /** The settings key holding the array of remotes. @default 'sshRemotes' */
  key?: string;
}

/** `remoteWithoutPassphrase` for whatever a store holds (a non-object entry has nothing to hide). */
function loggable(entry: unknown): unknown {
  return typeof entry === 'object' && entry !== null ? remoteWithoutPassphrase(entry) : entry;
}

/** Validates one stored entry; anything thrown becomes an SshWrapError, so callers get one type. */
function parseEntry(entry: unknown): SshRemoteConfig {
  try {
    return parseSshRemoteConfig(entry);
  } catch (error) {
    if (error instanceof SshWrapError) throw error;
    throw new SshWrapError('INVALID_CONFIG', `Invalid SSH remote config: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function hasId(entry: unknown, id: string): boolean {
  return typeof entry === 'object' && entry !== null && (entry as { id?: unknown }).id === id;
}

const MEMORY_ADAPTER_KEYS = optionKeys<SshRemoteStoreAdapterOptions>()({ onInvalidRemote: true });
const SETTINGS_ADAPTER_KEYS = optionKeys<SettingsStoreAdapterOptions>()({ key: true, onInvalidRemote: true });

function validEntries(entries: readonly unknown[], onInvalidRemote: SshRemoteStoreAdapterOptions['onInvalidRemote']): SshRemoteConfig[] {
  const valid: SshRemoteConfig[] = [];
  for (const entry of entries) {
    let remote: SshRemoteConfig;
    try {
      remote = parseEntry(entry);
    } catch (error) {
      // One broken entry must not hide the others; the caller hears about it, and resolving it
      // by id throws this same error.
      onInvalidRemote?.(loggable(entry), error as SshWrapError);
      continue;
    }
    valid.push(remote);
  }
  return valid;
}

function adapterOver(readEntries: () => readonly unknown[], options: SshRemoteStoreAdapterOptions): SshRemoteStoreAdapter {
  return {
    getSshRemotes: () => validEntries(readEntries(), options.onInvalidRemote),
    getSshRemoteById: (id) => {
      const entry = readEntries().find((candidate) => hasId(candidate, id));
      return entry === undefined ? undefined : parseEntry(entry);
    },
  };
}

/**
 * Reads remotes from a settings store's `sshRemotes` key (as Maestro stores them), validating
 * each entry. Reads the store on every call, so edits are picked up without re-creating it.
 *
 * `getSshRemotes()` lists the entries that validate and reports each other one through
 * `options.onInvalidRemote`; `getSshRemoteById()` throws for an invalid entry. The second
 * argument may also be the key itself (a string), as in earlier versions.
 *
 * @param options `{ key?: string = 'sshRemotes'; onInvalidRemote?: (entry, error) => void }`, or the key.
 * @throws {SshWrapError} from `getSshRemoteById`: `INVALID_CONFIG`/`UNSAFE_ARGUMENT` naming the
 *   field when the stored entry is invalid; from `setSshRemotes`: the same for any remote given.
 * @example
 * ```ts
 * import Store from 'electron-store';
 * const remotes = createSshRemoteStoreAdapter(new Store(), {
 *   onInvalidRemote: (entry, error) => log.warn(`SSH remote ignored: ${error.message}`),
 * });
 * await wrapSpawnWithSsh(config, agentSsh, remotes);
 * ```
 */
export function createSshRemoteStoreAdapter(settingsStore: SettingsStoreLike & { set(key: string, value: unknown): unknown }, options?: SettingsStoreAdapterOptions | string): WritableSshRemoteStoreAdapter;
export function createSshRemoteStoreAdapter(settingsStore: SettingsStoreLike, options?: SettingsStoreAdapterOptions | string): SshRemoteStoreAdapter;
export function createSshRemoteStoreAdapter(settingsStore: SettingsStoreLike, options: SettingsStoreAdapterOptions | string = {}): SshRemoteStoreAdapter | WritableSshRemoteStoreAdapter {
  if (typeof options !== 'string') assertKnownOptions(options, SETTINGS_ADAPTER_KEYS, 'createSshRemoteStoreAdapter options');
  const { key = 'sshRemotes', ...adapterOptions } = typeof options === 'string' ? { key: options } : options;
  const adapter = adapterOver(() => {
    const value = settingsStore.get(key, []);
    return Array.isArray(value) ? value : [];
  }, adapterOptions);
  const { set } = settingsStore;
  if (typeof set !== 'function') return adapter;
  return {
    ...adapter,
    setSshRemotes: (remotes) => {
      // Validate everything first, then write the caller's own objects (keys this library does
      // not know belong to the app and are kept), minus the passphrase.
      for (const remote of remotes) parseSshRemoteConfig(remote);
      set.call(settingsStore, key, remotes.map((remote) => remoteWithoutPassphrase(remote as object)));
    },
  };
}

/**
 * A store over a fixed list of remotes (tests, CLIs, apps that keep remotes themselves). The
 * entries are validated and copied when the adapter is created; later edits to those objects
 * are not seen (make a new adapter, or use {@link createSshRemoteStoreAdapter} over a live store).
 *
 * `getSshRemotes()` lists the entries that validate and reports each other one through
 * `options.onInvalidRemote` (on every listing); `getSshRemoteById()` throws for an invalid entry.
 *
 * @param options `{ onInvalidRemote?: (entry, error) => void }`
 * @throws {SshWrapError} from `getSshRemoteById`: `INVALID_CONFIG`/`UNSAFE_ARGUMENT` naming the
 *   field when that entry is invalid.
 * @example
 * ```ts
 * const store = createMemoryStoreAdapter([{ id: 'gpu-1', name: 'GPU', host: 'gpu-server', useSshConfig: true }], {
 *   onInvalidRemote: (_entry, error) => console.warn(error.message),
 * });
 * ```
 */
export function createMemoryStoreAdapter(remotes: readonly unknown[], options: SshRemoteStoreAdapterOptions = {}): SshRemoteStoreAdapter {
  assertKnownOptions(options, MEMORY_ADAPTER_KEYS, 'createMemoryStoreAdapter options');
  // Validated once, when the adapter is made: the list is fixed, and lookups sit on the wrap hot path.
  const parsed = remotes.map((entry) => {
    const id = typeof entry === 'object' && entry !== null ? (entry as { id?: unknown }).id : undefined;
    try {
      return { id, remote: parseEntry(entry) };
    } catch (error) {
      return { id, entry: loggable(entry), error: error as SshWrapError };
    }
  });
  const { onInvalidRemote } = options;
  return {
    getSshRemotes: () =>
      parsed.flatMap((entry) => {
        if (entry.remote) return [entry.remote];
        onInvalidRemote?.(entry.entry, entry.error);
        return [];
      }),
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
  return entry === undefined ? undefined : parseEntry(entry);
}
