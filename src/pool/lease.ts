/**
 * A permission to run one ssh process, from {@link ConnectionPool.acquire}. Pass
 * `managedSshOptions` to wrapSpawnWithSsh (`managedSshOptions` option), run, then `release()`
 * once the ssh process has exited. Always release, on every path: the lease holds a per-host slot.
 *
 * @example
 * ```ts
 * const lease = await pool.acquire(remote, true, { signal });
 * try {
 *   const wrapped = await wrapSpawnWithSsh(config, agentSsh, store, { managedSshOptions: lease.managedSshOptions });
 *   await run(wrapped);
 * } finally {
 *   lease.release();
 * }
 * ```
 */
export interface Lease {
  /** ssh options for this run (`ControlMaster`, `ControlPath`, `ControlPersist`); empty when not pooled. */
  readonly managedSshOptions: Record<string, string>;
  /** The master's socket (ControlPath with `%C` expanded) when pooled. */
  readonly controlPath?: string;
  /** The run goes through a master that was already up (no new connection, no handshake). */
  readonly reused: boolean;
  /** Gives the slot back. Idempotent. */
  release(): void;
  /**
   * Call when a pooled run failed in the multiplexing layer (ssh exited 255 before the remote
   * command started). Checks the master; when it is dead, forgets it so the next acquire starts
   * a fresh one, and resolves `true`: one retry is then worthwhile. Resolves `false` when the
   * master is fine or the lease is not pooled (the failure was something else: do not retry).
   */
  masterFailed(): Promise<boolean>;
}

/** A lease that changes nothing: pooling off, or ssh managing multiplexing itself. */
export function unpooledLease(onRelease?: () => void): Lease {
  let released = false;
  return {
    managedSshOptions: {},
    reused: false,
    release() {
      if (released) return;
      released = true;
      onRelease?.();
    },
    masterFailed: () => Promise.resolve(false),
  };
}
