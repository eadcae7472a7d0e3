import { attachDetached } from '../../detached/index.js';
import { detachedExecutor } from '../../process/executor.js';
import { parseCommandLine, parseTimeoutFlag } from '../args.js';
import { EXIT } from '../exit-codes.js';
import { HELP } from '../help.js';
import type { CliIo, CliSignal } from '../io.js';
import { DETACHED_FLAGS, detachedFailure, detachedTarget, parseCountFlag, remoteAndRun } from './detached-shared.js';

const FLAGS = { ...DETACHED_FLAGS, 'from-stdout': { type: 'string' }, 'from-stderr': { type: 'string' }, timeout: { type: 'string' } } as const;

/**
 * `sshwrap attach <remote> <run-id>`: replays a detached run's output from the start (or the
 * given byte offsets), follows it until the run ends (reconnecting after drops) and exits with
 * the run's exit status. Ctrl-C detaches (the run goes on) and prints the offsets to resume from.
 * Exit: the run's status; 251 lost; 252 no such run; 254 unreachable; 124 `--timeout`;
 * 130/143/141 detached by a signal.
 *
 * @example
 * ```ts
 * process.exitCode = await attachCommand(['gpu', 'r-mf3k9x2a-3f9c0a1b2c3d'], processIo());
 * ```
 */
export async function attachCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(argv, FLAGS, 'attach');
  if (parsed.values.help) {
    io.stdout.write(HELP.attach);
    return EXIT.OK;
  }
  const [remote, runId] = remoteAndRun([...parsed.positionals, ...(parsed.rest ?? [])], 'attach');
  const stdoutFrom = parseCountFlag(parsed.values['from-stdout'], '--from-stdout', 'attach');
  const stderrFrom = parseCountFlag(parsed.values['from-stderr'], '--from-stderr', 'attach');
  const timeoutMs = parseTimeoutFlag(parsed.values.timeout, 'attach');
  const target = await detachedTarget(remote, parsed.values, io, 'attach');
  const controller = new AbortController();
  let interruptedBy: CliSignal | undefined;
  const unsubscribe = io.onSignal((signal) => {
    interruptedBy ??= signal;
    controller.abort();
  });
  try {
    const result = await attachDetached({ runId, remoteId: target.remoteId }, target.store, {
      ...target.options,
      fromOffset: { ...(stdoutFrom !== undefined ? { stdout: stdoutFrom } : {}), ...(stderrFrom !== undefined ? { stderr: stderrFrom } : {}) },
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      signal: controller.signal,
      executor: detachedExecutor,
      // Streamed, not kept: a long run must not grow sshwrap's memory.
      maxBuffer: 0,
      onStdout: (text) => io.stdout.write(text),
      onStderr: (text) => io.stderr.write(text),
    });
    if (result.state === 'exited') return result.exitCode ?? EXIT.RUN_LOST;
    if (result.state === 'lost') {
      io.stderr.write(`sshwrap: lost: run ${runId} ended without recording an exit status\n`);
      return EXIT.RUN_LOST;
    }
    io.stderr.write(`sshwrap: detached from ${runId} (still running); resume with: sshwrap attach ${remote} ${runId} --from-stdout ${result.stdoutOffset} --from-stderr ${result.stderrOffset}\n`);
    return interruptedBy ? EXIT[interruptedBy] : EXIT.TIMEOUT;
  } catch (error) {
    return detachedFailure(error, io);
  } finally {
    unsubscribe();
  }
}
