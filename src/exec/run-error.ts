import type { SshFailureKind } from '../classify/index.js';
import type { SshRunResult } from './result.js';

const BRAND = Symbol.for('sshwrap.SshRunError');

/**
 * A failed run as an exception, for APIs that return the output and must reject otherwise
 * ({@link groomContext}). Carries the whole result, execa-style: `exitCode`, `signal`, `stderr`,
 * `timedOut`, `isCanceled`, `errorKind`, `hint`, a `shortMessage` and a full `message` (which
 * ends with stderr).
 *
 * @example
 * ```ts
 * try {
 *   await groomContext('/srv/app', 'claude-code', 'Summarise', { sshRemoteConfig, store });
 * } catch (error) {
 *   if (error instanceof SshRunError) console.error(error.errorKind, error.hint);
 * }
 * ```
 */
export class SshRunError extends Error {
  readonly shortMessage: string;
  readonly errorKind: SshFailureKind | undefined;
  readonly hint: string | undefined;
  readonly exitCode: number | null;
  readonly remoteExitCode: number | undefined;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly isCanceled: boolean;
  declare readonly result: SshRunResult;

  constructor(result: SshRunResult, what = 'Command') {
    const shortMessage = describeFailure(result, what);
    const stderr = result.stderr.trim();
    super(stderr ? `${shortMessage}\n${stderr}` : shortMessage);
    this.name = 'SshRunError';
    this.shortMessage = shortMessage;
    this.errorKind = result.errorKind;
    this.hint = result.hint;
    this.exitCode = result.exitCode;
    this.remoteExitCode = result.remoteExitCode;
    this.signal = result.signal;
    this.stdout = result.stdout;
    this.stderr = result.stderr;
    this.timedOut = result.timedOut;
    this.isCanceled = result.aborted;
    // Non-enumerable: `result.wrapped.args` holds the encoded remote script, env values included,
    // and loggers that walk an error's own properties must not print it.
    Object.defineProperty(this, 'result', { value: result, enumerable: false });
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** What a logger should see: the failure and the readable, redacted remote command; never the raw ssh argv. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      errorKind: this.errorKind,
      hint: this.hint,
      exitCode: this.exitCode,
      remoteExitCode: this.remoteExitCode,
      signal: this.signal,
      timedOut: this.timedOut,
      isCanceled: this.isCanceled,
      remoteCommand: this.result.wrapped.remoteCommand,
    };
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/**
 * Whether a run succeeded: the command started and exited with status 0, within time, not aborted.
 *
 * @example
 * ```ts
 * if (!runSucceeded(result)) throw new SshRunError(result);
 * ```
 */
export function runSucceeded(result: SshRunResult): boolean {
  if (result.errorKind || result.timedOut || result.aborted || result.connectionLost || !result.remoteStarted) return false;
  return (result.remoteExitCode ?? result.exitCode) === 0;
}

function describeFailure(result: SshRunResult, what: string): string {
  if (result.aborted) return `${what} was aborted`;
  if (result.errorKind) return result.errorMessage ?? `${what} failed: ${result.errorKind}`;
  if (result.timedOut) return `${what} timed out`;
  if (result.connectionLost) return `${what} lost: the connection closed before it reported an exit status`;
  if (result.remoteSignal) return `${what} was killed by ${result.remoteSignal}`;
  if (result.signal) return `${what} was killed by ${result.signal}`;
  return `${what} failed with exit code ${result.remoteExitCode ?? result.exitCode}`;
}
