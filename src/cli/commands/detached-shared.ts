import { DetachedRunError } from '../../detached/index.js';
import { createMemoryStoreAdapter, type SshRemoteStoreAdapter } from '../../resolve/index.js';
import type { DetachedRemoteOptions, DetachedRunStatus } from '../../detached/index.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { pickRemote } from '../pick-remote.js';
import { oneLine } from '../report-error.js';
import { UsageError } from '../usage-error.js';

/**
 * Flags every detached-run command takes, in node:util parseArgs form.
 *
 * @example
 * ```ts
 * const FLAGS = { ...DETACHED_FLAGS, json: { type: 'boolean' } } as const;
 * ```
 */
export const DETACHED_FLAGS = {
  remotes: { type: 'string' },
  'ssh-config': { type: 'string' },
  'run-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * The remote of a detached-run command, ready for the library calls.
 *
 * @example
 * ```ts
 * const target = await detachedTarget('gpu', parsed.values, io);
 * await listDetached(target.remoteId, target.store, target.options);
 * ```
 */
export interface DetachedTarget {
  remoteId: string;
  store: SshRemoteStoreAdapter;
  options: DetachedRemoteOptions;
}

/**
 * Resolves `<remote>` (remotes file, else ~/.ssh/config) for a detached-run command.
 *
 * @example
 * ```ts
 * const target = await detachedTarget(positionals[0], parsed.values, io, 'ps');
 * ```
 */
export async function detachedTarget(
  name: string | undefined,
  flags: { remotes?: string | undefined; 'ssh-config'?: string | undefined; 'run-dir'?: string | undefined },
  io: CliIo,
  command: string,
): Promise<DetachedTarget> {
  if (name === undefined) throw new UsageError(`${command}: missing <remote>`, command);
  const picked = await pickRemote(name, { remotesFile: flags.remotes, sshConfigFile: flags['ssh-config'], env: io.env });
  const sshConfigFile = flags['ssh-config'];
  return {
    remoteId: picked.remote.id,
    store: createMemoryStoreAdapter([picked.remote]),
    options: {
      ...(flags['run-dir'] !== undefined ? { runDir: flags['run-dir'] } : {}),
      ...(sshConfigFile !== undefined && picked.remote.useSshConfig ? { sshConfigFile } : {}),
    },
  };
}

/**
 * `<remote> <run-id>` positionals, with usage errors for what is missing or extra.
 *
 * @example
 * ```ts
 * const [remote, runId] = remoteAndRun(parsed.positionals, 'attach');
 * ```
 */
export function remoteAndRun(positionals: readonly string[], command: string): [string, string] {
  const [remote, runId, ...extra] = positionals;
  if (remote === undefined || runId === undefined) throw new UsageError(`${command}: expects <remote> <run-id>`, command);
  if (extra.length > 0) throw new UsageError(`${command}: unexpected "${extra[0]}"`, command);
  return [remote, runId];
}

/**
 * Reports a {@link DetachedRunError} the CLI way and returns its exit status (other errors are
 * rethrown for the router): 252 no such run, 254 the remote could not be reached or the run
 * could not start.
 *
 * @example
 * ```ts
 * try { … } catch (error) { return detachedFailure(error, io); }
 * ```
 */
export function detachedFailure(error: unknown, io: CliIo): number {
  if (!(error instanceof DetachedRunError)) throw error;
  io.stderr.write(`sshwrap: ${error.reason}: ${oneLine(error.message)}\n${error.hint ? `  hint: ${oneLine(error.hint)}\n` : ''}`);
  if (error.stdoutOffset !== undefined) io.stderr.write(`  resume with: --from-stdout ${error.stdoutOffset} --from-stderr ${error.stderrOffset}\n`);
  return error.reason === 'not-found' ? EXIT.RUN_NOT_FOUND : EXIT.REMOTE_DID_NOT_RUN;
}

/**
 * One row of `sshwrap ps`: id, state, exit, pid, started, ended, bytes of stdout/stderr.
 *
 * @example
 * ```ts
 * io.stdout.write(statusRow(status));
 * ```
 */
export function statusRow(status: DetachedRunStatus): string {
  const exit = status.exitCode === undefined ? '-' : status.remoteSignal ? `${status.exitCode}(${status.remoteSignal})` : String(status.exitCode);
  return `${[status.runId, status.state, exit, status.remotePid, status.startedAt || '-', status.endedAt ?? '-', status.stdoutBytes, status.stderrBytes].join('\t')}\n`;
}

/**
 * Header of {@link statusRow}.
 *
 * @example
 * ```ts
 * io.stdout.write(STATUS_HEADER + runs.map(statusRow).join(''));
 * ```
 */
export const STATUS_HEADER = 'RUN\tSTATE\tEXIT\tPID\tSTARTED\tENDED\tSTDOUT\tSTDERR\n';

/**
 * A non-negative integer flag (`--from-stdout 1024`).
 *
 * @example
 * ```ts
 * parseCountFlag('1024', '--from-stdout', 'attach'); // 1024
 * ```
 */
export function parseCountFlag(value: string | undefined, flag: string, command: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new UsageError(`${command}: ${flag} expects a non-negative integer, got "${value}"`, command);
  return Number(value);
}

/**
 * A duration flag: a number with an optional unit s, m, h or d (default seconds), in ms.
 *
 * @example
 * ```ts
 * parseDurationFlag('7d', '--older-than', 'prune'); // 604800000
 * ```
 */
export function parseDurationFlag(value: string | undefined, flag: string, command: string): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(value.trim());
  if (!match) throw new UsageError(`${command}: ${flag} expects a duration like 30, 90s, 15m, 12h or 7d, got "${value}"`, command);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Math.round(Number(match[1]) * unit * 1000);
}
