import { detachedStatus, listDetached } from '../../detached/index.js';
import { parseCommandLine } from '../args.js';
import { EXIT } from '../exit-codes.js';
import { HELP } from '../help.js';
import type { CliIo } from '../io.js';
import { UsageError } from '../usage-error.js';
import { DETACHED_FLAGS, detachedFailure, detachedTarget, STATUS_HEADER, statusRow } from './detached-shared.js';

const FLAGS = { ...DETACHED_FLAGS, json: { type: 'boolean' } } as const;

/**
 * `sshwrap ps <remote> [<run-id>] [--json]`: the detached runs on a remote (or one of them), as
 * a tab-separated table or JSON. Exit 0; 252 no such run; 254 unreachable.
 *
 * @example
 * ```ts
 * process.exitCode = await psCommand(['gpu', '--json'], processIo());
 * ```
 */
export async function psCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(argv, FLAGS, 'ps');
  if (parsed.values.help) {
    io.stdout.write(HELP.ps);
    return EXIT.OK;
  }
  const [remote, runId, ...extra] = [...parsed.positionals, ...(parsed.rest ?? [])];
  if (extra.length > 0) throw new UsageError(`ps: unexpected "${extra[0]}"`, 'ps');
  const target = await detachedTarget(remote, parsed.values, io, 'ps');
  try {
    const runs = runId === undefined ? await listDetached(target.remoteId, target.store, target.options) : [await detachedStatus({ runId, remoteId: target.remoteId }, target.store, target.options)];
    if (parsed.values.json) io.stdout.write(`${JSON.stringify(runId === undefined ? runs : runs[0], null, 2)}\n`);
    else io.stdout.write(STATUS_HEADER + runs.map(statusRow).join(''));
    return EXIT.OK;
  } catch (error) {
    return detachedFailure(error, io);
  }
}
