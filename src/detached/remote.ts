import { SshWrapError } from '../errors/index.js';
import { runWithSsh, type RunWithSshOptions, type SshRunResult } from '../exec/index.js';
import type { SshRemoteStoreAdapter } from '../resolve/index.js';
import { signalFromShellStatus } from '../exec/result.js';
import { DetachedRunError } from './error.js';
import type { DetachedRemoteOptions, DetachedRunStatus } from './types.js';

const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * The agentSsh selecting `remoteId`; detached runs are always remote.
 *
 * @example
 * ```ts
 * agentSshFor('gpu-1'); // { enabled: true, remoteId: 'gpu-1' }
 * ```
 */
export function agentSshFor(remoteId: string): { enabled: true; remoteId: string } {
  if (typeof remoteId !== 'string' || remoteId === '') throw new SshWrapError('INVALID_CONFIG', 'remoteId is required for detached runs', { field: 'remoteId' });
  return { enabled: true, remoteId };
}

/**
 * The runWithSsh options of a detached-run operation (everything but `runDir`), with a default
 * timeout: these are short scripts.
 *
 * @example
 * ```ts
 * connectionOptions({ runDir: '~/runs', sshPath: '/usr/bin/ssh' }); // { sshPath: '/usr/bin/ssh', timeoutMs: 60000 }
 * ```
 */
export function connectionOptions(options: DetachedRemoteOptions, timeoutMs = DEFAULT_TIMEOUT_MS): RunWithSshOptions {
  const { runDir: _runDir, ...rest } = options;
  return { ...rest, timeoutMs: options.timeoutMs ?? timeoutMs };
}

/**
 * Throws the {@link DetachedRunError} for a run that did not complete its remote script.
 *
 * @example
 * ```ts
 * failIfNotRun(await runWithSsh(config, agentSsh, store), 'detachedStatus');
 * ```
 */
export function failIfNotRun(result: SshRunResult, what: string): void {
  if (result.errorKind) {
    throw new DetachedRunError('connection', `${what}: ${result.errorMessage ?? result.errorKind}`, { errorKind: result.errorKind, hint: result.hint });
  }
  if (result.timedOut || result.aborted || result.connectionLost || result.remoteExitCode === undefined) {
    const why = result.timedOut ? 'timed out' : result.aborted ? 'aborted' : 'the connection closed before it finished';
    throw new DetachedRunError('connection', `${what}: ${why}`);
  }
}

/**
 * Runs one short remote script (a detached-run operation) under /bin/sh through the normal
 * transport, and returns its stdout. Exit 3 means "no such run".
 *
 * @example
 * ```ts
 * const stdout = await runRemoteScript('gpu-1', store, buildDetachedListScript(), {}, 'listDetached');
 * ```
 */
export async function runRemoteScript(
  remoteId: string,
  store: SshRemoteStoreAdapter,
  script: string,
  options: DetachedRemoteOptions,
  what: string,
  defaultTimeoutMs?: number,
): Promise<string> {
  const result = await runWithSsh({ command: '/bin/sh', args: ['-c', script, 'sshwrap'], cwd: '~' }, agentSshFor(remoteId), store, connectionOptions(options, defaultTimeoutMs));
  failIfNotRun(result, what);
  if (result.remoteExitCode === 3) throw new DetachedRunError('not-found', `${what}: no such run on ${remoteId}`);
  if (result.remoteExitCode !== 0) {
    throw new DetachedRunError('connection', `${what}: the remote script failed (exit ${result.remoteExitCode}): ${result.stderr.trim().slice(0, 500)}`);
  }
  return result.stdout;
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/**
 * Parses one status line of the remote scripts:
 * `R <id> <state> <pid> <started> <status|-> <ended|-> <out bytes> <err bytes>`.
 * `undefined` for anything else (login noise cannot reach here, but a foreign line must not
 * become a run).
 *
 * @example
 * ```ts
 * parseStatusLine('R r-1 exited 4242 2026-01-01T00:00:00Z 143 2026-01-01T00:01:00Z 10 0');
 * // { runId: 'r-1', state: 'exited', exitCode: 143, remoteSignal: 'SIGTERM', … }
 * ```
 */
export function parseStatusLine(line: string): DetachedRunStatus | undefined {
  const fields = line.split(' ');
  if (fields.length !== 9 || fields[0] !== 'R') return undefined;
  const [, runId, state, pid, startedAt, code, endedAt, out, err] = fields as [string, string, string, string, string, string, string, string, string];
  if (state !== 'running' && state !== 'exited' && state !== 'lost') return undefined;
  if (![pid, out, err].every((n) => /^\d+$/.test(n))) return undefined;
  const status: DetachedRunStatus = {
    runId,
    state,
    remotePid: Number(pid),
    startedAt: ISO.test(startedAt) ? startedAt : '',
    stdoutBytes: Number(out),
    stderrBytes: Number(err),
  };
  if (state === 'exited' && /^\d+$/.test(code)) {
    status.exitCode = Number(code);
    const signal = signalFromShellStatus(status.exitCode);
    if (signal) status.remoteSignal = signal;
  }
  if (state === 'exited' && ISO.test(endedAt)) status.endedAt = endedAt;
  return status;
}

/**
 * Every status line of a script's output.
 *
 * @example
 * ```ts
 * parseStatusLines('R r-1 running 12 2026-01-01T00:00:00Z - - 0 0\n'); // [{ runId: 'r-1', … }]
 * ```
 */
export function parseStatusLines(stdout: string): DetachedRunStatus[] {
  return stdout.split('\n').flatMap((line) => {
    const status = parseStatusLine(line);
    return status ? [status] : [];
  });
}
