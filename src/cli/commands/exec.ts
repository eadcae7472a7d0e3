import { runWithSsh } from '../../exec/index.js';
import { DEFAULT_KILL_GRACE_MS, REMOTE_KILL_TIMEOUT_MS } from '../../exec/terminate/index.js';
import { parseCommandLine, parseTimeoutFlag } from '../args.js';
import { detachedExecutor } from '../../process/executor.js';
import { EXIT } from '../exit-codes.js';
import { UsageError } from '../usage-error.js';
import { HELP } from '../help.js';
import type { CliIo, CliSignal } from '../io.js';
import { jsonView, textView } from '../exec-view.js';
import { planRun, RUN_FLAGS } from '../run-plan.js';
import { execOnMany, FAN_OUT_FLAGS } from './exec-many.js';
import { execExitCode } from './exec-exit.js';

export { execExitCode } from './exec-exit.js';

const FLAGS = { ...RUN_FLAGS, ...FAN_OUT_FLAGS, timeout: { type: 'string' }, json: { type: 'boolean' } } as const;

// After an abort, runWithSsh's one stop path (src/exec/terminate) stops the local ssh (TERM, then
// KILL after the grace period) and the remote command (over a second connection, bounded). Past
// this the CLI stops waiting and exits; the remote command still ends then, through the lifeline:
// this process exiting closes ssh's stdin, and the remote script kills its group on that EOF.
const ABORT_WAIT_MS = DEFAULT_KILL_GRACE_MS + REMOTE_KILL_TIMEOUT_MS + 2_000;

/**
 * `sshwrap exec <remote> [flags] -- <command> [args…]`: runs the command remotely, streams its
 * output as it arrives and returns its exit status (see {@link execExitCode}). With `--json`,
 * stdout is NDJSON: the run's events and the output (see `jsonView`).
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
  const fanOut = parsed.values.on !== undefined || parsed.values['on-all'] === true;
  if (!fanOut) {
    const stray = (['concurrency', 'per-host', 'fail-fast'] as const).find((flag) => parsed.values[flag] !== undefined);
    if (stray) throw new UsageError(`exec: --${stray} works with --on or --on-all only`, 'exec');
  }
  const plan = fanOut ? undefined : await planRun(parsed, io, 'exec');
  const view = parsed.values.json ? jsonView(io) : textView(io, { command: plan?.config.command, cwd: plan?.config.cwd });

  const controller = new AbortController();
  let interruptedBy: CliSignal | undefined;
  let giveUp: (() => void) | undefined;
  const gaveUp = new Promise<'gave-up'>((resolve) => {
    giveUp = () => resolve('gave-up');
  });
  let giveUpTimer: NodeJS.Timeout | undefined;
  let input: NodeJS.ReadableStream | undefined;
  const unsubscribe = io.onSignal((signal) => {
    // A second signal while stopping means "now": stop waiting for the remote cleanup. (Every
    // further write to a closed stdout reports EPIPE again; that is not a second request.)
    if (interruptedBy) return signal === 'SIGPIPE' ? undefined : giveUp?.();
    interruptedBy = signal;
    controller.abort();
    giveUpTimer = setTimeout(() => giveUp?.(), ABORT_WAIT_MS);
  });
  try {
    if (!plan) {
      const many = await Promise.race([execOnMany(parsed, io, timeoutMs, controller.signal, () => interruptedBy), gaveUp]);
      return many === 'gave-up' ? (interruptedBy ? EXIT[interruptedBy] : EXIT.SIGINT) : many;
    }
    // Like ssh: piped stdin reaches the command (unless it already was the prompt).
    input = parsed.values['prompt-file'] === '-' ? undefined : io.forwardedStdin?.();
    const run = runWithSsh(plan.config, plan.agentSsh, plan.store, {
      ...plan.options,
      ...(input ? { input } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      signal: controller.signal,
      executor: io.executor ?? detachedExecutor,
      // Output is streamed, not kept: a long-running command must not grow sshwrap's memory.
      maxBuffer: 0,
      ...view.callbacks,
    });
    const result = await Promise.race([run, gaveUp]);
    if (result === 'gave-up') {
      view.gaveUp();
      return interruptedBy ? EXIT[interruptedBy] : EXIT.SIGINT;
    }
    view.finished(result, timeoutMs);
    return execExitCode(result, interruptedBy);
  } finally {
    // An open stdin pipe would keep this process alive after the run; the command is done with it.
    (input as { destroy?: () => void } | undefined)?.destroy?.();
    view.close();
    if (giveUpTimer) clearTimeout(giveUpTimer);
    unsubscribe();
  }
}
