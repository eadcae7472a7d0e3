import { runWithSsh, type SshRunResult } from '../../exec/index.js';
import { parseCommandLine, parseTimeoutFlag } from '../args.js';
import { detachedExecutor } from '../../process/executor.js';
import { EXIT } from '../exit-codes.js';
import { HELP } from '../help.js';
import type { CliIo, CliSignal } from '../io.js';
import { oneLine } from '../report-error.js';
import { planRun, RUN_FLAGS } from '../run-plan.js';

const FLAGS = { ...RUN_FLAGS, timeout: { type: 'string' } } as const;

// After an abort, runWithSsh stops the local ssh (TERM, then KILL after 2 s) and the remote
// command (over a second connection, up to 8 s). Past this the CLI stops waiting and exits.
const ABORT_WAIT_MS = 12_000;

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

function failureReport(result: SshRunResult, timeoutMs: number | undefined): string | undefined {
  if (result.aborted) return undefined;
  if (result.timedOut) return `sshwrap: timeout: stopped after --timeout ${(timeoutMs ?? 0) / 1000} s\n`;
  if (result.errorKind) {
    const hint = result.hint ? `  hint: ${oneLine(result.hint)}\n` : '';
    return `sshwrap: ${result.errorKind}: ${oneLine(result.errorMessage ?? 'the remote command did not run')}\n${hint}`;
  }
  if (result.connectionLost) return 'sshwrap: connection-lost: the connection closed before the remote command reported an exit status\n';
  return undefined;
}

/**
 * `sshwrap exec <remote> [flags] -- <command> [args…]`: runs the command remotely, streams its
 * output as it arrives and returns its exit status (see {@link execExitCode}).
 *
 * @example
 * ```ts
 * process.exitCode = await execCommand(['gpu', '--cwd', '~/app', '--', 'make', 'test'], processIo());
 * ```
 */
export async function execCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(argv, FLAGS, 'exec');
  if (parsed.values.help) {
    io.stdout.write(HELP.exec);
    return EXIT.OK;
  }
  const timeoutMs = parseTimeoutFlag(parsed.values.timeout, 'exec');
  const plan = await planRun(parsed, io, 'exec');

  const controller = new AbortController();
  let interruptedBy: CliSignal | undefined;
  let giveUp: (() => void) | undefined;
  const gaveUp = new Promise<'gave-up'>((resolve) => {
    giveUp = () => resolve('gave-up');
  });
  let giveUpTimer: NodeJS.Timeout | undefined;
  const unsubscribe = io.onSignal((signal) => {
    // A second signal while stopping means "now": stop waiting for the remote cleanup. (Every
    // further write to a closed stdout reports EPIPE again; that is not a second request.)
    if (interruptedBy) return signal === 'SIGPIPE' ? undefined : giveUp?.();
    interruptedBy = signal;
    controller.abort();
    giveUpTimer = setTimeout(() => giveUp?.(), ABORT_WAIT_MS);
  });
  try {
    const run = runWithSsh(plan.config, plan.agentSsh, plan.store, {
      ...plan.options,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      signal: controller.signal,
      executor: detachedExecutor,
      // Output is streamed, not kept: a long-running command must not grow sshwrap's memory.
      maxBuffer: 0,
      onStdout: (text) => io.stdout.write(text),
      onStderr: (text) => io.stderr.write(text),
    });
    const result = await Promise.race([run, gaveUp]);
    if (result === 'gave-up') {
      io.stderr.write('sshwrap: interrupted; gave up waiting for the remote command to stop\n');
      return interruptedBy ? EXIT[interruptedBy] : EXIT.SIGINT;
    }
    const report = failureReport(result, timeoutMs);
    if (report) io.stderr.write(report);
    return execExitCode(result, interruptedBy);
  } finally {
    if (giveUpTimer) clearTimeout(giveUpTimer);
    unsubscribe();
  }
}
