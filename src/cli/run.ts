import { attachCommand } from './commands/attach.js';
import { execCommand } from './commands/exec.js';
import { killCommand } from './commands/kill.js';
import { logsCommand } from './commands/logs.js';
import { pruneCommand } from './commands/prune.js';
import { psCommand } from './commands/ps.js';
import { startCommand } from './commands/start.js';
import { hostsCommand } from './commands/hosts.js';
import { testCommand } from './commands/test.js';
import { wrapCommand } from './commands/wrap.js';
import { EXIT } from './exit-codes.js';
import { HELP } from './help.js';
import { processIo, type CliIo } from './io.js';
import { reportError } from './report-error.js';
import { UsageError } from './usage-error.js';
import { cliVersion } from './version.js';

type Command = (argv: readonly string[], io: CliIo) => Promise<number>;

const COMMANDS: Readonly<Record<string, Command>> = {
  exec: execCommand,
  wrap: wrapCommand,
  test: testCommand,
  hosts: hostsCommand,
  start: startCommand,
  attach: attachCommand,
  ps: psCommand,
  logs: logsCommand,
  kill: killCommand,
  prune: pruneCommand,
};

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(HELP.main);
    return EXIT.USAGE;
  }
  if (first === '-h' || first === '--help') {
    io.stdout.write(HELP.main);
    return EXIT.OK;
  }
  if (first === '-V' || first === '--version') {
    io.stdout.write(`${cliVersion()}\n`);
    return EXIT.OK;
  }
  if (first === 'help') {
    const topic = rest[0];
    if (topic === undefined) {
      io.stdout.write(HELP.main);
      return EXIT.OK;
    }
    if (!Object.hasOwn(COMMANDS, topic)) throw new UsageError(`help: unknown command "${topic}"`);
    return COMMANDS[topic]!(['--help'], io);
  }
  if (first.startsWith('-')) throw new UsageError(`unknown option "${first}"; a command comes first`);
  if (!Object.hasOwn(COMMANDS, first)) throw new UsageError(`unknown command "${first}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
  return COMMANDS[first]!(rest, io);
}

/**
 * Runs the `sshwrap` CLI with these arguments and resolves to its exit status. Never throws and
 * never prints a stack trace (unless `SSHWRAP_DEBUG=1`): every failure is one `sshwrap: …` line.
 *
 * @example
 * ```ts
 * process.exitCode = await run(['wrap', 'gpu', '--dry-run', '--', 'uname', '-a']);
 * ```
 */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    return reportError(error, io);
  }
}
