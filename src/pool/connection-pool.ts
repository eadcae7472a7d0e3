import { nodeExecutor, type ChildProcessLike, type SpawnExecutor } from '../process/executor.js';
import { assertKnownOptions, assertSshPathOption, optionKeys, type SshRemoteConfig } from '../schemas/index.js';
import { abortable } from './abortable.js';
import { controlDirCandidates, findControlDir, prepareControlDir } from './control-dir.js';
import { connectionFingerprint, controlDirFits } from './control-path.js';
import { unpooledLease, type Lease } from './lease.js';
import { sshMasterControl, type MasterControl } from './master.js';
import { resolveMultiplexOption, type MultiplexOption, type MultiplexSettings } from './multiplex-option.js';
import { RemoteMasters, type MasterSlot } from './remote-masters.js';
import { Semaphore } from './semaphore.js';

/**
 * Masters one host may be establishing at once. Each is a full handshake, which is what sshd's
 * `MaxStartups` (default 10) counts; extra slots of a busy remote start a few at a time.
 */
const MASTER_STARTS_PER_HOST = 4;
// A remote that sets any of these in customOptions manages multiplexing itself; sshwrap stays out.
const USER_MUX_OPTIONS = new Set(['controlmaster', 'controlpath', 'controlpersist']);

/**
 * Per-call inputs of {@link ConnectionPool.acquire}, mirroring the wrap options that shape the connection.
 *
 * @example
 * ```ts
 * const options: AcquireOptions = { signal: AbortSignal.timeout(30_000) };
 * ```
 */
export interface AcquireOptions {
  /** Stops waiting for a slot or a master; the acquire then rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
  /** ssh client binary (the masters are started with it too). @default 'ssh' */
  sshPath?: string | undefined;
  /** `-F` file for `useSshConfig` remotes, as passed to wrapSpawnWithSsh. */
  sshConfigFile?: string | undefined;
  /** Command-executing customOptions allowed for this remote, as passed to wrapSpawnWithSsh. */
  allowUnsafeOptions?: readonly string[] | undefined;
  /**
   * Environment for ssh when this lease has to start the master, as the run gets it (SSH_ASKPASS
   * for a passphrase-protected key; BatchMode stays on). @default process.env
   */
  env?: NodeJS.ProcessEnv | undefined;
  /**
   * Extra ssh options for starting a master, as the run gets them (`BatchMode=no` from an askpass
   * bridge, so the master may ask for a key passphrase). @default undefined
   */
  managedSshOptions?: Record<string, string> | undefined;
  /**
   * Starts the ssh helpers of this acquire: `ssh -G` for the ControlPath, `-O check`, and the
   * master if this acquire has to start one. It wins over the pool's `executor`; like `env`, the
   * latest acquire's executor is the one a later master start of the same remote uses, and the
   * executor that registered a socket is the one {@link ConnectionPool.closeAll} stops it with.
   * @default the pool's `executor`
   */
  executor?: SpawnExecutor | undefined;
}

/**
 * Something {@link ConnectionPool.closeAll} closes besides masters.
 *
 * @example
 * ```ts
 * const resource: PoolResource = { close: async () => undefined };
 * ```
 */
export interface PoolResource {
  /** Closes it; must not reject (closeAll waits for every one). */
  close(): Promise<void>;
}

/**
 * Construction options of {@link ConnectionPool}; all for tests or unusual hosts.
 *
 * @example
 * ```ts
 * const pool = new ConnectionPool({ controlDir: '/run/user/1000/sshwrap' } satisfies ConnectionPoolOptions);
 * ```
 */
export interface ConnectionPoolOptions {
  /** Platform to behave as. On `'win32'` (ssh.exe has no ControlMaster) pooling is off. @default process.platform */
  platform?: NodeJS.Platform;
  /** Directory for control sockets (checked like the default ones). @default `$XDG_RUNTIME_DIR/sshwrap`, else `/tmp/sshwrap-<uid>` */
  controlDir?: string;
  /** Environment used to find the default control directory. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** How masters are checked, started and stopped. @default OpenSSH via `ssh -O` */
  masterControl?: MasterControl;
  /**
   * Starts every ssh helper (ControlPath lookup, master start, `-O check`, `-O exit`) of acquires
   * that pass no `executor` of their own. @default nodeExecutor
   */
  executor?: SpawnExecutor;
}

const POOL_OPTION_KEYS = optionKeys<ConnectionPoolOptions>()({ platform: true, controlDir: true, env: true, masterControl: true, executor: true });
/** Every key of {@link AcquireOptions}. @internal */
export const ACQUIRE_OPTION_KEYS = optionKeys<AcquireOptions>()({
  signal: true,
  sshPath: true,
  sshConfigFile: true,
  allowUnsafeOptions: true,
  env: true,
  managedSshOptions: true,
  executor: true,
});

// One key per server (what sshd's limits count), whatever the user: host in lower case and port.
function hostKey(remote: Pick<SshRemoteConfig, 'host' | 'port'>): string {
  return `${remote.host.toLowerCase()}:${remote.port}`;
}

interface HostGates {
  /** Leases running on this host. */
  leases: Semaphore;
  /** Masters being started on this host. */
  starts: Semaphore;
}

/**
 * Connection pooling over OpenSSH multiplexing (ControlMaster/ControlPath/ControlPersist), with a
 * per-host concurrency limit. One pool per process is usually right: see {@link defaultConnectionPool}.
 *
 * - The first lease on a remote starts a background master (`ssh -N`, ControlPersist); leases
 *   that arrive meanwhile wait for it instead of opening their own connections.
 * - Every lease runs with `ControlMaster=auto`: if the master died (sshd restarted, master
 *   killed), ssh notices the refused socket, removes it and connects directly, becoming the new
 *   master; OpenSSH 9.2 does this without an error. A missing socket is re-started here.
 * - Sessions above `maxSessionsPerMaster` go to another master slot of the same remote.
 * - Windows, remotes whose customOptions set Control* themselves, or no usable socket directory:
 *   no pooling (empty `managedSshOptions`), the concurrency limit still applies.
 *
 * @example
 * ```ts
 * const pool = new ConnectionPool();
 * const lease = await pool.acquire(remote, { persistSeconds: 120 });
 * try { ... } finally { lease.release(); }
 * await pool.closeAll();
 * ```
 */
export class ConnectionPool {
  readonly #platform: NodeJS.Platform;
  readonly #control: MasterControl;
  readonly #configuredDir: string | undefined;
  readonly #env: NodeJS.ProcessEnv | undefined;
  #dir: string | null | undefined;
  readonly #hosts = new Map<string, HostGates>();
  readonly #remotes = new Map<string, RemoteMasters>();
  readonly #executor: SpawnExecutor;
  /** Every socket path a master of ours may live on (with the ssh binary and executor to stop it), for closeAll. */
  readonly #socketPaths = new Map<string, { sshPath: string | undefined; executor: SpawnExecutor }>();
  /** Helper ssh processes (master starts, checks) still running. */
  readonly #helpers = new Set<ChildProcessLike>();
  /** Long-lived connections tied to this pool's lifetime (port and socket forwards). */
  readonly #resources = new Set<PoolResource>();

  constructor(options: ConnectionPoolOptions = {}) {
    assertKnownOptions(options, POOL_OPTION_KEYS, 'ConnectionPool options');
    this.#platform = options.platform ?? process.platform;
    this.#control = options.masterControl ?? sshMasterControl;
    this.#configuredDir = options.controlDir;
    this.#env = options.env;
    this.#executor = options.executor ?? nodeExecutor;
  }

  /** Whether this pool can multiplex at all here (false on Windows or without a safe socket directory). */
  get multiplexingAvailable(): boolean {
    return this.#platform !== 'win32' && this.#controlDir() !== null;
  }

  /**
   * A lease for one ssh run to `remote`. With `multiplex` off (`false`/`undefined`) it resolves
   * at once with empty options and no limit. Otherwise it waits for a per-host slot (FIFO) and,
   * on a cold remote, for its master.
   *
   * @throws {SshWrapError} `INVALID_CONFIG` for a bad `multiplex` value; rejects with
   *   `signal.reason` when aborted while waiting (nothing is held then).
   */
  async acquire(remote: SshRemoteConfig, multiplex: MultiplexOption | undefined, options: AcquireOptions = {}): Promise<Lease> {
    assertKnownOptions(options, ACQUIRE_OPTION_KEYS, 'acquire options');
    assertSshPathOption(options.sshPath, 'sshPath');
    assertSshPathOption(options.sshConfigFile, 'sshConfigFile');
    const settings = resolveMultiplexOption(multiplex);
    if (settings === null) return unpooledLease();
    const gates = this.#gates(remote, settings);
    await gates.leases.acquire(options.signal);
    const releaseGate = (): void => gates.leases.release();
    if (!this.#canPool(remote)) return unpooledLease(releaseGate);

    const masters = this.#masters(remote, options);
    const slot = masters.take(settings.maxSessionsPerMaster);
    const reused = masters.isWarm(slot);
    try {
      if (!reused) {
        // Cold path only: the directory may have been removed (tmp cleaners) or tampered with since.
        if (prepareControlDir(masters.dir) !== null) {
          slot.sessions--;
          return unpooledLease(releaseGate);
        }
        await abortable(masters.warm(slot, settings.persistSeconds, gates.starts), options.signal);
      }
    } catch (error) {
      slot.sessions--;
      releaseGate();
      throw error;
    }
    if (slot.socketPath === null) {
      // ssh could not tell us where the socket goes: run unpooled rather than lose track of masters.
      slot.sessions--;
      return unpooledLease(releaseGate);
    }
    return this.#pooledLease(masters, slot, settings, releaseGate, reused);
  }

  /**
   * Leases this pool has handed out for `host:port` and not yet had released: every run of this
   * process with `multiplex` on that is running (or connecting) there, whoever started it, pooled
   * or not (a remote the pool cannot multiplex still holds its per-host slot). Read-only; the
   * fleet layer's placement (`pickHost`) counts load with it.
   *
   * @example
   * ```ts
   * defaultConnectionPool.activeLeases({ host: 'gpu-1.example.com', port: 22 }); // 3
   * ```
   */
  activeLeases(remote: Pick<SshRemoteConfig, 'host' | 'port'>): number {
    return this.#hosts.get(hostKey(remote))?.leases.active ?? 0;
  }

  /**
   * Closes every resource {@link ConnectionPool.register}ed with the pool (port and socket
   * forwards), stops every master this pool started or used (`ssh -O exit`, which also ends their
   * sessions), kills helper ssh processes still running, and removes the sockets. The pool stays
   * usable: the next acquire starts afresh. Note masters are per user, not per process: a master
   * on one of these sockets that another process of the same user shares is stopped too.
   * Each `ssh -O exit` goes through the executor of the acquire that registered the socket
   * (else the pool's `executor`).
   */
  async closeAll(): Promise<void> {
    const resources = [...this.#resources];
    this.#resources.clear();
    await Promise.allSettled(resources.map((resource) => resource.close()));
    for (const helper of this.#helpers) helper.kill('SIGKILL');
    const starting = [...this.#remotes.values()].flatMap((masters) => masters.slots.map((slot) => slot.starting));
    await Promise.allSettled(starting);
    const socketPaths = [...this.#socketPaths];
    this.#socketPaths.clear();
    this.#remotes.clear();
    await Promise.allSettled(
      socketPaths.map(([socketPath, { sshPath, executor }]) => this.#control.exit(socketPath, { sshPath, executor, tracker: this.#helpers })),
    );
  }

  /**
   * Ties a long-lived resource (a `forwardPort` or `forwardSocketToRemote` handle) to this pool:
   * {@link ConnectionPool.closeAll} closes it. Returns the function that unregisters it (call it
   * from the resource's own `close()`).
   *
   * @example
   * ```ts
   * const unregister = pool.register({ close: () => forward.close() });
   * ```
   */
  register(resource: PoolResource): () => void {
    this.#resources.add(resource);
    return () => {
      this.#resources.delete(resource);
    };
  }

  #pooledLease(masters: RemoteMasters, slot: MasterSlot, settings: MultiplexSettings, releaseGate: () => void, reused: boolean): Lease {
    let released = false;
    return {
      managedSshOptions: { ControlMaster: 'auto', ControlPath: slot.template, ControlPersist: String(settings.persistSeconds) },
      controlPath: slot.socketPath!,
      reused,
      release() {
        if (released) return;
        released = true;
        slot.sessions--;
        releaseGate();
      },
      masterFailed: () => masters.confirmDead(slot),
    };
  }

  #gates(remote: SshRemoteConfig, settings: MultiplexSettings): HostGates {
    const key = hostKey(remote);
    let gates = this.#hosts.get(key);
    if (!gates) {
      gates = { leases: new Semaphore(settings.maxConcurrentPerHost), starts: new Semaphore(MASTER_STARTS_PER_HOST) };
      this.#hosts.set(key, gates);
    } else if (gates.leases.limit !== settings.maxConcurrentPerHost) {
      gates.leases.limit = settings.maxConcurrentPerHost; // the latest caller's setting wins
    }
    return gates;
  }

  #canPool(remote: SshRemoteConfig): boolean {
    if (this.#platform === 'win32') return false;
    if (Object.keys(remote.customOptions ?? {}).some((name) => USER_MUX_OPTIONS.has(name.toLowerCase()))) return false;
    return this.#controlDir() !== null;
  }

  #masters(remote: SshRemoteConfig, options: AcquireOptions): RemoteMasters {
    const context = { sshPath: options.sshPath, sshConfigFile: options.sshConfigFile };
    const fingerprint = connectionFingerprint(remote, context);
    let masters = this.#remotes.get(fingerprint);
    // The latest caller's environment starts the next master (an askpass bridge lives per run).
    const executor = options.executor ?? this.#executor;
    if (masters) {
      masters.context.env = options.env;
      masters.context.managedSshOptions = options.managedSshOptions;
      masters.context.executor = executor;
    }
    if (!masters) {
      masters = new RemoteMasters(
        remote,
        fingerprint,
        this.#controlDir()!,
        { ...context, allowUnsafeOptions: options.allowUnsafeOptions, tracker: this.#helpers, env: options.env, managedSshOptions: options.managedSshOptions, executor },
        this.#control,
        (socketPath, executor) => this.#socketPaths.set(socketPath, { sshPath: options.sshPath, executor }),
      );
      this.#remotes.set(fingerprint, masters);
    }
    return masters;
  }

  #controlDir(): string | null {
    if (this.#dir === undefined) {
      const candidates = this.#configuredDir !== undefined ? [this.#configuredDir] : controlDirCandidates({ ...(this.#env ? { env: this.#env } : {}) });
      this.#dir = findControlDir(candidates, controlDirFits);
    }
    return this.#dir;
  }
}

/**
 * The pool spawnWithSsh, runWithSsh and testConnection use when given `multiplex` and no pool of
 * their own. Its masters outlive the process by `persistSeconds` unless {@link closeAll} runs.
 *
 * @example
 * ```ts
 * await defaultConnectionPool.closeAll(); // what closeAll() does on shutdown
 * ```
 */
export const defaultConnectionPool = new ConnectionPool();

/**
 * Stops every master the default pool started and removes their sockets (call on shutdown).
 *
 * @example
 * ```ts
 * process.once('SIGTERM', () => void closeAll().finally(() => process.exit(0)));
 * ```
 */
export function closeAll(): Promise<void> {
  return defaultConnectionPool.closeAll();
}
