import { runWithSsh } from '../../exec/index.js';
import { buildDetachedLogsScript } from '../../wrap/detached-script.js';
import { parseCommandLine } from '../args.js';
import { EXIT } from '../exit-codes.js';
import { HELP } from '../help.js';
import type { CliIo } from '../io.js';
import { oneLine } from '../report-error.js';
import { DETACHED_FLAGS, detachedTarget, remoteAndRun } from './detached-shared.js';

/**
 * `sshwrap logs <remote> <run-id>`: prints what a detached run wrote so far (its stdout on
 * stdout, its stderr on stderr) and exits 0; `sshwrap attach` follows instead.
 * Exit 252 no such run, 254 unreachable.
 *
 * @example
 * ```ts
 * process.exitCode = await logsCommand(['gpu', 'r-mf3k9x2a-3f9c0a1b2c3d'], processIo());
 * ```
 */
export async function logsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(argv, DETACHED_FLAGS, 'logs');
  if (parsed.values.help) {
    io.stdout.write(HELP.logs);
    return EXIT.OK;
  }
  const [remote, runId] = remoteAndRun([...parsed.positionals, ...(parsed.rest ?? [])], 'logs');
  const target = await detachedTarget(remote, parsed.values, io, 'logs');
  const script = buildDetachedLogsScript({ runId, runDir: target.options.runDir });
  const { runDir: _runDir, ...connection } = target.options;
  const result = await runWithSsh({ command: '/bin/sh', args: ['-c', script, 'sshwrap'], cwd: '~' }, { enabled: true, remoteId: target.remoteId }, target.store, {
    ...connection,
    timeoutMs: 600_000,
    maxBuffer: 0,
    onStdout: (text) => io.stdout.write(text),
    onStderr: (text) => io.stderr.write(text),
  });
  if (result.errorKind || result.remoteExitCode === undefined) {
    io.stderr.write(`sshwrap: connection: ${oneLine(result.errorMessage ?? 'the connection closed before the logs were read')}\n`);
    return EXIT.REMOTE_DID_NOT_RUN;
  }
  if (result.remoteExitCode === 3) {
    io.stderr.write(`sshwrap: not-found: no run ${runId} on ${remote}\n`);
    return EXIT.RUN_NOT_FOUND;
  }
  return EXIT.OK;
}
