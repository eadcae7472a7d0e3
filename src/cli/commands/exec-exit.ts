import type { SshRunResult } from '../../exec/index.js';
import { EXIT } from '../exit-codes.js';
import type { CliSignal } from '../io.js';

// Its own module: `exec` and `exec --on` (exec-many.ts, which exec.ts dispatches to) both use it.
/**
 * The exit status for a finished run (see {@link EXIT}): the remote command's own status when it
 * ran, otherwise why it did not.
 *
 * @example
 * ```ts
 * execExitCode({ ...result, remoteExitCode: 3 }, undefined); // 3
 * ```
 */
export function execExitCode(result: SshRunResult, interruptedBy: CliSignal | undefined): number {
  if (result.aborted || interruptedBy) return interruptedBy ? EXIT[interruptedBy] : EXIT.SIGINT;
  if (result.timedOut) return EXIT.TIMEOUT;
  if (result.errorKind) return EXIT.REMOTE_DID_NOT_RUN;
  if (result.connectionLost) return EXIT.CONNECTION_LOST;
  if (result.remoteExitCode !== undefined) return result.remoteExitCode;
  return result.exitCode ?? EXIT.CONNECTION_LOST;
}
