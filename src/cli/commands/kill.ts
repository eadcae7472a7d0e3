import { cancelDetached } from '../../detached/index.js';
import { parseCommandLine, parseTimeoutFlag } from '../args.js';
import { EXIT } from '../exit-codes.js';
import { HELP } from '../help.js';
import type { CliIo } from '../io.js';
import { DETACHED_FLAGS, detachedFailure, detachedTarget, remoteAndRun, STATUS_HEADER, statusRow } from './detached-shared.js';

const FLAGS = { ...DETACHED_FLAGS, grace: { type: 'string' }, json: { type: 'boolean' } } as const;

/**
 * `sshwrap kill <remote> <run-id> [--grace SECONDS]`: TERM to the run's process group, KILL after
 * the grace period (default 5 s); prints the run's status afterwards. Exit 0; 252 no such run;
 * 254 unreachable.
 *
 * @example
 * ```ts
 * process.exitCode = await killCommand(['gpu', 'r-mf3k9x2a-3f9c0a1b2c3d', '--grace', '10'], processIo());
 * ```
 */
export async function killCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(argv, FLAGS, 'kill');
  if (parsed.values.help) {
    io.stdout.write(HELP.kill);
    return EXIT.OK;
  }
  const [remote, runId] = remoteAndRun([...parsed.positionals, ...(parsed.rest ?? [])], 'kill');
  const graceMs = parseTimeoutFlag(parsed.values.grace, 'kill');
  const target = await detachedTarget(remote, parsed.values, io, 'kill');
  try {
    const status = await cancelDetached({ runId, remoteId: target.remoteId }, target.store, { ...target.options, ...(graceMs !== undefined ? { graceMs } : {}) });
    io.stdout.write(parsed.values.json ? `${JSON.stringify(status, null, 2)}\n` : STATUS_HEADER + statusRow(status));
    return EXIT.OK;
  } catch (error) {
    return detachedFailure(error, io);
  }
}
