import { pruneDetached } from '../../detached/index.js';
import { parseCommandLine } from '../args.js';
import { EXIT } from '../exit-codes.js';
import { HELP } from '../help.js';
import type { CliIo } from '../io.js';
import { UsageError } from '../usage-error.js';
import { DETACHED_FLAGS, detachedFailure, detachedTarget, parseDurationFlag } from './detached-shared.js';

const FLAGS = { ...DETACHED_FLAGS, 'older-than': { type: 'string' }, json: { type: 'boolean' } } as const;

/**
 * `sshwrap prune <remote> --older-than DURATION`: removes the directories of finished detached
 * runs that ended longer ago than DURATION (never a running one) and prints their ids.
 * Exit 0; 2 without `--older-than`; 254 unreachable.
 *
 * @example
 * ```ts
 * process.exitCode = await pruneCommand(['gpu', '--older-than', '7d'], processIo());
 * ```
 */
export async function pruneCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(argv, FLAGS, 'prune');
  if (parsed.values.help) {
    io.stdout.write(HELP.prune);
    return EXIT.OK;
  }
  const [remote, ...extra] = [...parsed.positionals, ...(parsed.rest ?? [])];
  if (extra.length > 0) throw new UsageError(`prune: unexpected "${extra[0]}"`, 'prune');
  const olderThanMs = parseDurationFlag(parsed.values['older-than'], '--older-than', 'prune');
  // Required: "prune everything finished" must be asked for explicitly (--older-than 0).
  if (olderThanMs === undefined) throw new UsageError('prune: --older-than DURATION is required (e.g. 7d; 0 for every finished run)', 'prune');
  const target = await detachedTarget(remote, parsed.values, io, 'prune');
  try {
    const { removed } = await pruneDetached(target.remoteId, target.store, { ...target.options, olderThanMs });
    io.stdout.write(parsed.values.json ? `${JSON.stringify({ removed })}\n` : removed.map((id) => `${id}\n`).join(''));
    return EXIT.OK;
  } catch (error) {
    return detachedFailure(error, io);
  }
}
