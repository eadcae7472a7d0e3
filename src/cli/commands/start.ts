import { startDetached } from '../../detached/index.js';
import { detachedExecutor } from '../../process/executor.js';
import { parseCommandLine } from '../args.js';
import { EXIT } from '../exit-codes.js';
import { HELP } from '../help.js';
import type { CliIo } from '../io.js';
import { planRun, RUN_FLAGS } from '../run-plan.js';
import { detachedFailure } from './detached-shared.js';

const FLAGS = { ...RUN_FLAGS, 'run-dir': { type: 'string' }, json: { type: 'boolean' } } as const;

/**
 * `sshwrap start <remote> [options] -- <command> [args…]`: starts a detached run and prints its
 * id (`--json`: the whole `DetachedRun`). Exit 0 started, 2 bad usage, 254 not started.
 *
 * @example
 * ```ts
 * process.exitCode = await startCommand(['gpu', '--cwd', '~/app', '--', 'make', 'test'], processIo());
 * ```
 */
export async function startCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(argv, FLAGS, 'start');
  if (parsed.values.help) {
    io.stdout.write(HELP.start);
    return EXIT.OK;
  }
  const plan = await planRun(parsed, io, 'start');
  const runDir = parsed.values['run-dir'];
  try {
    const run = await startDetached(plan.config, plan.agentSsh, plan.store, {
      ...plan.options,
      ...(runDir !== undefined ? { runDir } : {}),
      // ssh in its own process group: a Ctrl-C at the terminal reaches sshwrap only.
      executor: detachedExecutor,
    });
    io.stdout.write(parsed.values.json ? `${JSON.stringify(run)}\n` : `${run.runId}\n`);
    return EXIT.OK;
  } catch (error) {
    return detachedFailure(error, io);
  }
}
