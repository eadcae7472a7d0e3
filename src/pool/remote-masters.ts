import { nodeExecutor, type SpawnExecutor } from '../process/executor.js';
import type { SshRemoteConfig } from '../schemas/index.js';
import { controlPathTemplate } from './control-path.js';
import type { MasterCommandContext, MasterControl } from './master.js';
import type { Semaphore } from './semaphore.js';

/** One master (ControlPath) for one remote: up to `maxSessionsPerMaster` leases share it. */
export interface MasterSlot {
  readonly index: number;
  /** ControlPath as given to ssh (`%C` unexpanded). */
  readonly template: string;
  /** The expanded socket path, once known; `null` when ssh could not tell. */
  socketPath: string | null;
  /** Leases currently holding this slot. */
  sessions: number;
  /** A master answered (or was started) and its socket was there at the last look. */
  ready: boolean;
  /** The one start in progress: every other lease of this slot waits for it. */
  starting: Promise<void> | undefined;
  /** stderr of the last failed start, for diagnostics. */
  lastError: string | undefined;
}

/**
 * The master slots of one remote (one connection fingerprint). The first lease on a cold slot
 * starts the master; every other lease of that slot waits for the same start, so a burst opens
 * one connection per slot, not one per run.
 */
export class RemoteMasters {
  readonly slots: MasterSlot[] = [];
  #socketPrefix: Promise<string | null> | undefined;

  constructor(
    readonly remote: SshRemoteConfig,
    readonly fingerprint: string,
    readonly dir: string,
    readonly context: MasterCommandContext,
    private readonly control: MasterControl,
    /** Called with every socket path before a master may appear on it, and the executor that may start it (for closeAll). */
    private readonly onSocketPath: (socketPath: string, executor: SpawnExecutor) => void,
  ) {}

  /** The lowest slot with room, opening a new one when all are full. Counts the session in. */
  take(maxSessionsPerMaster: number): MasterSlot {
    let slot = this.slots.find((candidate) => candidate.sessions < maxSessionsPerMaster);
    if (!slot) {
      const index = this.slots.length;
      slot = { index, template: controlPathTemplate(this.dir, this.fingerprint, index), socketPath: null, sessions: 0, ready: false, starting: undefined, lastError: undefined };
      this.slots.push(slot);
    }
    slot.sessions++;
    return slot;
  }

  /** Whether `slot` can be used right away (no process spawned: one lstat). */
  isWarm(slot: MasterSlot): boolean {
    return slot.ready && slot.socketPath !== null && this.control.socketExists(slot.socketPath);
  }

  /** Makes sure a master runs for `slot`, starting at most one at a time per slot. */
  warm(slot: MasterSlot, persistSeconds: number, startGate: Semaphore): Promise<void> {
    slot.starting ??= this.#start(slot, persistSeconds, startGate).finally(() => {
      slot.starting = undefined;
    });
    return slot.starting;
  }

  async #start(slot: MasterSlot, persistSeconds: number, startGate: Semaphore): Promise<void> {
    slot.ready = false;
    const prefix = await this.#prefix();
    slot.socketPath = prefix === null ? null : `${prefix}${slot.index}`;
    if (slot.socketPath === null) return;
    this.onSocketPath(slot.socketPath, this.context.executor ?? nodeExecutor);
    if (this.control.socketExists(slot.socketPath)) {
      // A master from an earlier lease, pool or process of ours: reuse it when it answers.
      const status = await this.control.check(slot.socketPath, this.context);
      if (status.running) {
        slot.ready = true;
        return;
      }
      this.control.removeStaleSocket(slot.socketPath);
    }
    await startGate.acquire();
    try {
      const result = await this.control.start(this.remote, slot.template, persistSeconds, this.context);
      slot.ready = result.outcome !== 'failed';
      slot.lastError = result.outcome === 'failed' ? result.stderr : undefined;
    } finally {
      startGate.release();
    }
  }

  /** `<dir>/<%C expanded>-<fingerprint>-`, asked from `ssh -G` once per remote. */
  #prefix(): Promise<string | null> {
    this.#socketPrefix ??= this.control.resolveControlPath(this.remote, controlPathTemplate(this.dir, this.fingerprint, 0), this.context).then((path) => {
      const suffix = `-${this.fingerprint}-0`;
      if (path === null || !path.startsWith(`${this.dir}/`) || !path.endsWith(suffix)) {
        this.#socketPrefix = undefined; // ask again next time
        return null;
      }
      return path.slice(0, -1);
    });
    return this.#socketPrefix;
  }

  /**
   * After a run failed in the multiplexing layer: is the master of `slot` dead? If so it is
   * forgotten (stale socket removed) so the next lease starts a fresh one.
   */
  async confirmDead(slot: MasterSlot): Promise<boolean> {
    if (slot.starting) {
      // Someone is already replacing it: a retry will find the new master.
      await slot.starting;
      return true;
    }
    if (slot.socketPath === null) return false;
    const status = await this.control.check(slot.socketPath, this.context);
    if (status.running) return false;
    this.control.removeStaleSocket(slot.socketPath);
    slot.ready = false;
    return true;
  }
}
