import type { SshFailureKind } from '../classify/index.js';
import type { SshRunResult } from './result.js';

const BRAND = Symbol.for('sshwrap.SshRunError');

/**
 * A failed run as an exception, for APIs that return the output and must reject otherwise
 * (`groomContext`). Carries the result's facts under the result's own names (`exitCode`,
 * `remoteExitCode`, `signal`, `stderr`, `timedOut`, `aborted`, `connectionLost`, `errorKind`,
 * `hint`, …), plus a `shortMessage` and a full `message` (which ends with stderr).
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
  /** The failure in one line, without stderr. */
  readonly shortMessage: string;
  // The same names, meanings and types as SshRunResult's fields: one vocabulary for a run.
  /** See {@link SshRunResult.errorKind}. */
  readonly errorKind: SshFailureKind | undefined;
  /** See {@link SshRunResult.errorMessage}. */
  readonly errorMessage: string | undefined;
  /** See {@link SshRunResult.hint}. */
  readonly hint: string | undefined;
  /** See {@link SshRunResult.exitCode}. */
  readonly exitCode: number | null;
  /** See {@link SshRunResult.remoteExitCode}. */
  readonly remoteExitCode: number | undefined;
  /** See {@link SshRunResult.signal}. */
  readonly signal: string | null;
  /** See {@link SshRunResult.remoteSignal}. */
  readonly remoteSignal: string | undefined;
  /** See {@link SshRunResult.remotePid}. */
  readonly remotePid: number | undefined;
  /** See {@link SshRunResult.remoteStarted}. */
  readonly remoteStarted: boolean;
  /** See {@link SshRunResult.stdout}. */
  readonly stdout: string;
  /** See {@link SshRunResult.stderr}. */
  readonly stderr: string;
  /** See {@link SshRunResult.loginOutput}. */
  readonly loginOutput: SshRunResult['loginOutput'];
  /** See {@link SshRunResult.timedOut}. */
  readonly timedOut: boolean;
  /** See {@link SshRunResult.aborted}. */
  readonly aborted: boolean;
  /** See {@link SshRunResult.stopReason}. */
  readonly stopReason: SshRunResult['stopReason'];
  /** See {@link SshRunResult.connectionLost}. */
  readonly connectionLost: boolean;
  /** See {@link SshRunResult.idleTimedOut}. */
  readonly idleTimedOut: boolean;
  /** See {@link SshRunResult.attempts}. */
  readonly attempts: number;
  /** See {@link SshRunResult.durationMs}. */
  readonly durationMs: number;
  declare readonly result: SshRunResult;

  constructor(result: SshRunResult, what = 'Command') {
    const shortMessage = describeFailure(result, what);
    const stderr = result.stderr.trim();
    super(stderr ? `${shortMessage}\n${stderr}` : shortMessage);
    this.name = 'SshRunError';
    this.shortMessage = shortMessage;
    this.errorKind = result.errorKind;
    this.errorMessage = result.errorMessage;
    this.hint = result.hint;
    this.exitCode = result.exitCode;
    this.remoteExitCode = result.remoteExitCode;
    this.signal = result.signal;
    this.remoteSignal = result.remoteSignal;
    this.remotePid = result.remotePid;
    this.remoteStarted = result.remoteStarted;
    this.stdout = result.stdout;
    this.stderr = result.stderr;
    this.loginOutput = result.loginOutput;
    this.timedOut = result.timedOut;
    this.aborted = result.aborted;
    this.stopReason = result.stopReason;
    this.connectionLost = result.connectionLost;
    this.idleTimedOut = result.idleTimedOut;
    this.attempts = result.attempts;
    this.durationMs = result.durationMs;
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
      remoteSignal: this.remoteSignal,
      remoteStarted: this.remoteStarted,
      timedOut: this.timedOut,
      aborted: this.aborted,
      stopReason: this.stopReason,
      connectionLost: this.connectionLost,
      idleTimedOut: this.idleTimedOut,
      attempts: this.attempts,
      durationMs: this.durationMs,
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
  if (result.errorKind || result.timedOut || result.idleTimedOut || result.aborted || result.connectionLost || !result.remoteStarted) return false;
  return (result.remoteExitCode ?? result.exitCode) === 0;
}

function describeFailure(result: SshRunResult, what: string): string {
  if (result.aborted) return `${what} was aborted`;
  if (result.errorKind) return result.errorMessage ?? `${what} failed: ${result.errorKind}`;
  if (result.timedOut) return `${what} timed out`;
  if (result.idleTimedOut) return `${what} was stopped after producing no output for idleTimeoutMs`;
  if (result.connectionLost) return `${what} lost: the connection closed before it reported an exit status`;
  if (result.remoteSignal) return `${what} was killed by ${result.remoteSignal}`;
  if (result.signal) return `${what} was killed by ${result.signal}`;
  return `${what} failed with exit code ${result.remoteExitCode ?? result.exitCode}`;
}
