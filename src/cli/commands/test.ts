import { parseCommandLine } from '../args.js';
import { EXIT } from '../exit-codes.js';
import { HELP } from '../help.js';
import type { CliIo } from '../io.js';
import { UsageError } from '../usage-error.js';

const FLAGS = {
  agent: { type: 'string' },
  remotes: { type: 'string' },
  'ssh-config': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * `sshwrap test <remote> [--agent NAME] [--json]`: one connection test.
 *
 * @example
 * ```ts
 * await testCommand(['gpu', '--agent', 'claude'], io); // 0 connected, 1 failed
 * ```
 */
export async function testCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(argv, FLAGS, 'test');
  if (parsed.values.help) {
    io.stdout.write(HELP.test);
    return EXIT.OK;
  }
  throw new UsageError('test: not available yet', 'test');
}
