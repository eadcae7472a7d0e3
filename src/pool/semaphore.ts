interface Waiter {
  grant(): void;
}

/**
 * A counting semaphore with FIFO waiters and abortable waits. A released permit goes straight
 * to the oldest waiter, so a steady stream of new callers cannot starve it.
 *
 * @example
 * ```ts
 * const gate = new Semaphore(8);
 * await gate.acquire(signal);
 * try { await work(); } finally { gate.release(); }
 * ```
 */
export class Semaphore {
  #limit: number;
  #active = 0;
  readonly #waiters: Waiter[] = [];

  constructor(limit: number) {
    this.#limit = Semaphore.#checkLimit(limit);
  }

  static #checkLimit(limit: number): number {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`semaphore limit must be a positive integer, got ${limit}`);
    return limit;
  }

  /** Permits held right now (never above {@link limit}, except briefly after lowering it). */
  get active(): number {
    return this.#active;
  }

  /** Callers waiting for a permit. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Maximum permits held at once. Raising it wakes waiters; lowering it lets holders finish. */
  get limit(): number {
    return this.#limit;
  }

  set limit(value: number) {
    this.#limit = Semaphore.#checkLimit(value);
    this.#drain();
  }

  /** Takes a permit if one is free right now. */
  tryAcquire(): boolean {
    if (this.#active >= this.#limit || this.#waiters.length > 0) return false;
    this.#active++;
    return true;
  }

  /**
   * Resolves once a permit is held. Rejects with `signal.reason` when the signal aborts first;
   * no permit is held then.
   */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.#waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Returns a permit. Releasing more than was acquired throws: it would hide a double release. */
  release(): void {
    if (this.#active <= 0) throw new Error('Semaphore.release() without a held permit');
    this.#active--;
    this.#drain();
  }

  #drain(): void {
    while (this.#active < this.#limit && this.#waiters.length > 0) {
      this.#active++;
      this.#waiters.shift()!.grant();
    }
  }
}
