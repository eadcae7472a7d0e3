import type { SshFailureKind } from '../classify/index.js';

const BRAND = Symbol.for('sshwrap.SshForwardError');

/**
 * A forwarding that could not be set up at runtime (the input was fine: bad input is an
 * `SshWrapError`, thrown before anything is spawned). `errorKind` is the same vocabulary as a
 * run's (`classifySshFailure`): `forwarding-refused` when the server forbids it, `auth-failed`,
 * `connection-refused`, `timeout`, … and `hint` says what to do. `instanceof` works across the ESM
 * and CJS builds (a global symbol brand).
 *
 * @example
 * ```ts
 * try {
 *   await forwardPort('gpu-1', store, { remotePort: 5173 });
 * } catch (error) {
 *   if (error instanceof SshForwardError && error.errorKind === 'forwarding-refused') showHint(error.hint);
 * }
 * ```
 */
export class SshForwardError extends Error {
  /** Why, in the classifier's words. */
  readonly errorKind: SshFailureKind;
  /** What to do about it, for a human. */
  readonly hint: string;
  /** ssh's own stderr of the failed attempt (no secret values: none travel on this connection). */
  readonly stderr: string;

  constructor(errorKind: SshFailureKind, message: string, options: { hint: string; stderr?: string }) {
    super(message);
    this.name = 'SshForwardError';
    this.errorKind = errorKind;
    this.hint = options.hint;
    this.stderr = options.stderr ?? '';
    Object.defineProperty(this, BRAND, { value: true });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
