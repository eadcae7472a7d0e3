import { SshWrapError } from '../errors/index.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';
import { UsageError } from './usage-error.js';

/**
 * Prints an error the CLI way (one `sshwrap: …` line, a hint line when there is one, a stack
 * only with `SSHWRAP_DEBUG=1`) and returns the exit status for it.
 *
 * @example
 * ```ts
 * try { return await wrapCommand(argv, io); } catch (error) { return reportError(error, io); }
 * ```
 */
export function reportError(error: unknown, io: CliIo): number {
  const debug = io.env.SSHWRAP_DEBUG === '1';
  if (error instanceof UsageError) {
    const help = error.command ? `sshwrap ${error.command} --help` : 'sshwrap --help';
    io.stderr.write(`sshwrap: ${error.message} (see '${help}')\n`);
    return EXIT.USAGE;
  }
  if (error instanceof SshWrapError) {
    // The library's hint for a missing or disabled remote names `fallbackToLocal`, an option the CLI does not have.
    const hint = error.code === 'REMOTE_NOT_FOUND' ? 'Pick another remote (sshwrap hosts lists them), or enable this one in the remotes file ("enabled": true).' : error.hint;
    io.stderr.write(`sshwrap: ${oneLine(error.message)}\n${hint ? `  hint: ${oneLine(hint)}\n` : ''}`);
    if (debug && error.stack) io.stderr.write(`${error.stack}\n`);
    // The ssh client could not be started: as for an ssh failure, the remote command did not run.
    return error.code === 'SPAWN_FAILED' ? EXIT.REMOTE_DID_NOT_RUN : EXIT.USAGE;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`sshwrap: internal error: ${oneLine(message)}\n${debug ? '' : '  (set SSHWRAP_DEBUG=1 for details)\n'}`);
  if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return EXIT.FAILURE;
}

/**
 * Folds a multi-line message (ssh's stderr often is) onto one line.
 *
 * @example
 * ```ts
 * oneLine('a\n  b\n'); // 'a; b'
 * ```
 */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, '; ').trim();
}
