import type { StopReason } from './terminate/index.js';
import { constants } from 'node:os';
import type { SshFailureKind } from '../classify/index.js';
import type { SshSpawnWrapResult } from '../wrap/index.js';
import type { LoginOutput } from './output-frame.js';

/**
 * How a {@link runWithSsh} run ended. Runtime failures are data here, never exceptions.
 *
 * - `errorKind` is set exactly when the command did not run or could not start (ssh failed,
 *   the remote cwd is missing, the command is not on the remote PATH, ssh could not be
 *   started, or `timeoutMs` expired before the command started). A remote `exit 255` is
 *   `exitCode: 255`, `remoteExitCode: 255` and no `errorKind`.
 * - A run the caller aborted has `aborted: true` and no `errorKind`.
 *
 * @example
 * ```ts
 * const result = await runWithSsh(config, agentSsh, store);
 * if (result.errorKind) console.error(result.errorMessage, '\n', result.hint);
 * else if (result.connectionLost) console.error('lost the remote command');
 * else console.log('remote exit', result.remoteExitCode, result.stdout);
 * ```
 */
export interface SshRunResult {
  /** Exit status of the local process (ssh, or the command for local runs); `null` if killed by a signal or never started. */
  exitCode: number | null;
  /** Signal that killed the local process, e.g. `'SIGTERM'` after a timeout; otherwise `null`. */
  signal: string | null;
  /** The command's stdout, exactly what it wrote (up to `maxBuffer` bytes); login noise is in `loginOutput`. */
  stdout: string;
  /**
   * The command's stderr, status markers removed (up to `maxBuffer` bytes). When the connection
   * failed before the remote script ran, ssh's own messages are here (they are what `errorKind` is
   * classified from); on a connection that worked, what ssh or the login printed before the script
   * started (an sshd `Banner`, rc-file noise) is in `loginOutput.stderr` instead.
   */
  stderr: string;
  /**
   * What the remote login shell and its startup files printed before the command started
   * (empty for local runs), kept out of `stdout`/`stderr` so line-by-line parsers see only the
   * command's output.
   */
  loginOutput: LoginOutput;
  /** What was spawned. */
  wrapped: SshSpawnWrapResult;
  /** The command itself started (remote: the `started` marker arrived; local: the process spawned). */
  remoteStarted: boolean;
  /** The command's own exit status as the remote /bin/sh saw it (128+N when killed by signal N). Remote runs only. */
  remoteExitCode?: number;
  /** `remoteExitCode` read as "killed by this signal" (sh's 128+N convention), e.g. `'SIGKILL'` for 137. */
  remoteSignal?: string;
  /** Remote pid of the script running the command (it leads the remote process group). */
  remotePid?: number;
  /** Why the command did not run; see above. */
  errorKind?: SshFailureKind;
  /** One line describing the failure, quoting ssh's own message when there is one. */
  errorMessage?: string;
  /** What to do about `errorKind`. */
  hint?: string;
  /** `timeoutMs` expired and the run was killed. */
  timedOut: boolean;
  /** The caller's AbortSignal fired and the run was killed. */
  aborted: boolean;
  /**
   * `idleTimeoutMs` passed without output from the command, and the run was stopped (the local
   * ssh and the remote process group, as on timeout). `timedOut` stays `false`: it is about
   * `timeoutMs` only. The clock starts with the command, so such a run always has
   * `remoteStarted: true` and no `errorKind`.
   */
  idleTimedOut: boolean;
  /**
   * Tries made (1 when the first one counted): a run that failed before its command started is
   * retried per the `retry` option, and this result is the last try's. Local runs: 1.
   */
  attempts: number;
  /**
   * Why sshwrap stopped the run (`'timeout'`, `'abort'`, `'idle'`, `'callback-error'`); absent when
   * it ended by itself. Recorded by the one stop path (`Terminator`), first reason wins.
   */
  stopReason?: StopReason;
  /** The command started remotely but its exit status never arrived (connection dropped or the remote script was killed). */
  connectionLost: boolean;
  /** More than `maxBuffer` bytes arrived on stdout; `stdout` holds the first `maxBuffer`. */
  stdoutTruncated: boolean;
  /** Same for stderr. */
  stderrTruncated: boolean;
  /** Wall-clock time from spawn to the end of the run. */
  durationMs: number;
}

/** The signal name for a shell status above 128 (`137` → `'SIGKILL'`), else `undefined`. */
export function signalFromShellStatus(status: number | undefined): string | undefined {
  if (status === undefined || status <= 128 || status >= 128 + 65) return undefined;
  const number = status - 128;
  return Object.entries(constants.signals).find(([, value]) => value === number)?.[0];
}
