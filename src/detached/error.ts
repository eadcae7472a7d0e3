import type { SshFailureKind } from '../classify/index.js';

/**
 * Why a detached-run operation failed at runtime (bad input throws `SshWrapError` instead):
 * - `not-found`: no such run on the remote (wrong id, other `runDir`, pruned);
 * - `not-started`: `startDetached` could not start the agent (`message` says why: command not
 *   found, run id taken, run dir not writable);
 * - `connection`: the remote could not be reached or the operation was cut (`errorKind` and
 *   `hint` from ssh's failure when known). For `attachDetached`, the offsets reached are set so
 *   a later attach continues without loss.
 *
 * @example
 * ```ts
 * try { await detachedStatus(ref, store); }
 * catch (error) { if (error instanceof DetachedRunError && error.reason === 'not-found') forget(ref); }
 * ```
 */
export class DetachedRunError extends Error {
  override readonly name = 'DetachedRunError';
  readonly reason: 'not-found' | 'not-started' | 'connection';
  readonly errorKind?: SshFailureKind;
  readonly hint?: string;
  /** `attachDetached` only: the byte offsets delivered before it gave up. */
  readonly stdoutOffset?: number;
  readonly stderrOffset?: number;

  constructor(
    reason: DetachedRunError['reason'],
    message: string,
    extra: { errorKind?: SshFailureKind | undefined; hint?: string | undefined; stdoutOffset?: number; stderrOffset?: number } = {},
  ) {
    super(message);
    this.reason = reason;
    if (extra.errorKind !== undefined) this.errorKind = extra.errorKind;
    if (extra.hint !== undefined) this.hint = extra.hint;
    if (extra.stdoutOffset !== undefined) this.stdoutOffset = extra.stdoutOffset;
    if (extra.stderrOffset !== undefined) this.stderrOffset = extra.stderrOffset;
  }
}
