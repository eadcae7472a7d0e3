/**
 * Machine-readable reason for an {@link SshWrapError}.
 *
 * - `INVALID_CONFIG`: a remote, agent or spawn config does not match its schema.
 * - `REMOTE_NOT_FOUND`: SSH was requested but the remote id is unknown or the remote is disabled.
 * - `UNSAFE_ARGUMENT`: a value would be read by ssh as an option or as an extra command
 *   (a host starting with `-`, a `ProxyCommand` in customOptions, a NUL byte, ...).
 * - `COMMAND_TOO_LONG`: the remote command cannot fit in one kernel argument even with the
 *   prompt moved to stdin (the arguments themselves are too large).
 * - `SPAWN_FAILED`: the local ssh client could not be started (not installed, E2BIG, ...).
 * - `PROBE_FAILED`: `probeHost` could not read a host's facts: the host was not reachable (the
 *   `cause` is the probe's `SshRunError`, with `errorKind` and `hint`) or the facts output broke
 *   its format. Thrown after the probe ran, not for bad input.
 * - `NO_SUITABLE_HOST`: `pickHost` rejected every candidate; the error's `rejections` say why
 *   each one was rejected (thrown after probing).
 * - `ATTACHMENT_TOO_LARGE`: a run's `attachments` add up to more than `maxAttachmentBytes`
 *   (thrown before anything is sent).
 *
 * @example
 * ```ts
 * if (error instanceof SshWrapError && (error.code satisfies SshWrapErrorCode) === 'REMOTE_NOT_FOUND') pickAnotherRemote();
 * ```
 */
export type SshWrapErrorCode =
  | 'INVALID_CONFIG'
  | 'REMOTE_NOT_FOUND'
  | 'UNSAFE_ARGUMENT'
  | 'COMMAND_TOO_LONG'
  | 'SPAWN_FAILED'
  | 'PROBE_FAILED'
  | 'NO_SUITABLE_HOST'
  | 'ATTACHMENT_TOO_LARGE';

const BRAND = Symbol.for('sshwrap.SshWrapError');

/**
 * The one error class sshwrap throws for bad input. Nothing is spawned when it is thrown for bad
 * input; the fleet codes `PROBE_FAILED` and `NO_SUITABLE_HOST` report what a probe found.
 *
 * `instanceof` works across the ESM and CJS builds (and across duplicated copies of the
 * package) because the check uses a global symbol brand, not the class identity.
 *
 * @example
 * ```ts
 * try {
 *   parseSshRemoteConfig({ id: 'x', host: '-oProxyCommand=evil' });
 * } catch (error) {
 *   if (error instanceof SshWrapError && error.code === 'UNSAFE_ARGUMENT') console.error(error.field);
 * }
 * ```
 */
export class SshWrapError extends Error {
  /** What kind of problem this is. */
  readonly code: SshWrapErrorCode;
  /** Dotted path of the offending field (e.g. `customOptions.ProxyCommand`), when there is one. */
  readonly field: string | undefined;
  /** What to do about it, for a human. */
  readonly hint: string | undefined;

  constructor(
    code: SshWrapErrorCode,
    message: string,
    options: { field?: string; hint?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SshWrapError';
    this.code = code;
    this.field = options.field;
    this.hint = options.hint;
    Object.defineProperty(this, BRAND, { value: true });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
