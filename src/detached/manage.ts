import { SshWrapError } from '../errors/index.js';
import type { SshRemoteStoreAdapter } from '../resolve/index.js';
import { assertKnownOptions, assertNonNegative } from '../schemas/index.js';
import {
  assertRunId,
  buildDetachedCancelScript,
  buildDetachedListScript,
  buildDetachedPruneScript,
  buildDetachedStatusScript,
} from '../wrap/detached-script.js';
import { DetachedRunError } from './error.js';
import { parseStatusLines, runRemoteScript } from './remote.js';
import {
  CANCEL_DETACHED_OPTION_KEYS,
  DETACHED_REMOTE_OPTION_KEYS,
  PRUNE_DETACHED_OPTION_KEYS,
  type CancelDetachedOptions,
  type DetachedRemoteOptions,
  type DetachedRunRef,
  type DetachedRunStatus,
  type PruneDetachedOptions,
} from './types.js';

function checkRef(ref: DetachedRunRef): void {
  if (typeof ref !== 'object' || ref === null) throw new SshWrapError('INVALID_CONFIG', 'the run reference must be { runId, remoteId }', { field: 'runId' });
  assertRunId(ref.runId);
}

function single(stdout: string, ref: DetachedRunRef, what: string): DetachedRunStatus {
  const status = parseStatusLines(stdout).find((entry) => entry.runId === ref.runId);
  if (!status) throw new DetachedRunError('connection', `${what}: no status line for ${ref.runId} in the remote output`);
  return status;
}

/**
 * The current state of a detached run, read from its remote directory. `lost` means the
 * process is gone (or its pid now belongs to a process started at another time) and no exit
 * status was recorded.
 *
 * @throws {DetachedRunError} `not-found` or `connection`.
 * @example
 * ```ts
 * const status = await detachedStatus({ runId, remoteId: 'gpu-1' }, store);
 * console.log(status.state, status.stdoutBytes);
 * ```
 */
export async function detachedStatus(ref: DetachedRunRef, store: SshRemoteStoreAdapter, options: DetachedRemoteOptions = {}): Promise<DetachedRunStatus> {
  assertKnownOptions(options, DETACHED_REMOTE_OPTION_KEYS, 'detachedStatus options');
  checkRef(ref);
  const stdout = await runRemoteScript(ref.remoteId, store, buildDetachedStatusScript({ runId: ref.runId, runDir: options.runDir }), options, 'detachedStatus');
  return single(stdout, ref, 'detachedStatus');
}

/**
 * Every detached run on a remote (under `runDir`), oldest id first.
 *
 * @throws {DetachedRunError} `connection`.
 * @example
 * ```ts
 * for (const run of await listDetached('gpu-1', store)) console.log(run.runId, run.state);
 * ```
 */
export async function listDetached(remoteId: string, store: SshRemoteStoreAdapter, options: DetachedRemoteOptions = {}): Promise<DetachedRunStatus[]> {
  assertKnownOptions(options, DETACHED_REMOTE_OPTION_KEYS, 'listDetached options');
  const stdout = await runRemoteScript(remoteId, store, buildDetachedListScript({ runDir: options.runDir }), options, 'listDetached');
  return parseStatusLines(stdout).sort((a, b) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0));
}

/**
 * Stops a detached run: TERM to its remote process group, then KILL after `graceMs`.
 * Resolves with its status afterwards (`exited`, e.g. `exitCode: 143`, `remoteSignal:
 * 'SIGTERM'`). A run that already ended is left as it is.
 *
 * @throws {DetachedRunError} `not-found` or `connection`.
 * @example
 * ```ts
 * const status = await cancelDetached({ runId, remoteId: 'gpu-1' }, store, { graceMs: 2000 });
 * ```
 */
export async function cancelDetached(ref: DetachedRunRef, store: SshRemoteStoreAdapter, options: CancelDetachedOptions = {}): Promise<DetachedRunStatus> {
  assertKnownOptions(options, CANCEL_DETACHED_OPTION_KEYS, 'cancelDetached options');
  checkRef(ref);
  const { graceMs = 5000, ...remote } = options;
  if (!Number.isFinite(graceMs) || graceMs < 0 || graceMs > 3_600_000) {
    throw new SshWrapError('INVALID_CONFIG', 'graceMs must be between 0 and 3600000', { field: 'graceMs' });
  }
  const script = buildDetachedCancelScript({ runId: ref.runId, runDir: options.runDir, graceMs });
  // The script waits up to graceMs, then up to 5 s for KILL to take.
  const stdout = await runRemoteScript(ref.remoteId, store, script, remote, 'cancelDetached', 60_000 + graceMs);
  return single(stdout, ref, 'cancelDetached');
}

/**
 * Removes the remote directories of finished runs (exited, or lost) that ended longer than
 * `olderThanMs` ago by the remote clock (lost runs: started). Never a running one.
 *
 * @throws {SshWrapError} `INVALID_CONFIG` for a missing or negative `olderThanMs`.
 * @throws {DetachedRunError} `connection`.
 * @example
 * ```ts
 * const { removed } = await pruneDetached('gpu-1', store, { olderThanMs: 7 * 24 * 3_600_000 });
 * ```
 */
export async function pruneDetached(remoteId: string, store: SshRemoteStoreAdapter, options: PruneDetachedOptions): Promise<{ removed: string[] }> {
  assertKnownOptions(options, PRUNE_DETACHED_OPTION_KEYS, 'pruneDetached options');
  const { olderThanMs, ...remote } = options ?? ({} as PruneDetachedOptions);
  // Required: "prune everything" must be asked for explicitly (olderThanMs: 0).
  assertNonNegative(olderThanMs ?? Number.NaN, 'olderThanMs');
  // Whole seconds, rounded up: never removes a run younger than asked.
  const script = buildDetachedPruneScript({ runDir: options.runDir, olderThanSeconds: Math.ceil(olderThanMs / 1000) });
  const stdout = await runRemoteScript(remoteId, store, script, remote, 'pruneDetached');
  const removed = stdout.split('\n').flatMap((line) => (/^P [A-Za-z0-9._-]+$/.test(line) ? [line.slice(2)] : []));
  return { removed };
}
