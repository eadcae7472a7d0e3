import type { SshRemoteStoreAdapter } from '../resolve/index.js';
import { SshWrapError } from '../errors/index.js';
import { assertKnownOptions, type AgentSshRemoteConfig, type SshSpawnWrapConfig } from '../schemas/index.js';
import { retryOnFreshMaster } from '../pool/index.js';
import { nodeExecutor, type ChildProcessLike } from '../process/executor.js';
import { randomMarkerToken } from './markers.js';
import { RUN_OPTION_KEYS, type RunWithSshOptions } from './options.js';
import { notStartedResult, remoteOutcome, spawnFailure } from './outcome.js';
import { prepareRun, wrapPrepared, type PreparedRun } from './prepare.js';
import { spawnDescription } from './events.js';
import type { SshRunResult } from './result.js';
import { startPlan } from './start.js';
import { supervise } from './supervise.js';

function checkLimit(value: number | undefined, name: string): void {
  if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
    throw new SshWrapError('INVALID_CONFIG', `${name} must be a non-negative number`, { field: name });
  }
}

/**
 * Runs a spawn through `spawnWithSsh` to completion and reports how it ended. Output is
 * collected (and streamed to `onStdout`/`onStderr`); the remote script's status markers tell
 * apart "ssh failed", "the command could not start" and "the command exited with N", so exit
 * status 255 is never ambiguous.
 *
 * Never throws for runtime failures: a refused connection, a missing binary, a timeout or an
 * abort are all in the result. Only bad input throws (`SshWrapError`, before anything is
 * spawned). Every exit path waits for the local process to be gone.
 *
 * @example
 * ```ts
 * const result = await runWithSsh(
 *   { command: 'claude', args: ['--print'], cwd: '~/app', prompt: 'List the TODOs' },
 *   { enabled: true, remoteId: 'gpu-1' },
 *   createSshRemoteStoreAdapter(settingsStore),
 *   { timeoutMs: 120_000, onStdout: (text) => process.stdout.write(text) },
 * );
 * if (result.errorKind) console.error(`${result.errorMessage}\n${result.hint}`);
 * else console.log('exit', result.remoteExitCode);
 * ```
 */
export async function runWithSsh(
  config: SshSpawnWrapConfig,
  agentSsh: AgentSshRemoteConfig | null | undefined,
  store: SshRemoteStoreAdapter,
  options: RunWithSshOptions = {},
): Promise<SshRunResult> {
  assertKnownOptions(options, RUN_OPTION_KEYS, 'runWithSsh options');
  checkLimit(options.timeoutMs, 'timeoutMs');
  checkLimit(options.maxBuffer, 'maxBuffer');
  checkLimit(options.killGraceMs, 'killGraceMs');
  const startedAt = Date.now();
  // timeoutMs covers the wait for a pooled slot or master too, not only the run itself.
  const deadline = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
  const signals = [options.signal, deadline].filter((signal): signal is AbortSignal => signal !== undefined);
  const waitSignal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  const prepared = await prepareRun(config, agentSsh, store, options, waitSignal);
  const { callbacks } = prepared;
  let result: SshRunResult;
  try {
    result = await runAttempts(prepared, options, startedAt, deadline);
  } finally {
    await prepared.release();
  }
  callbacks.rethrow();
  if (result.errorKind) callbacks.emit({ type: 'error', errorKind: result.errorKind, message: result.errorMessage ?? result.errorKind, ...(result.hint ? { hint: result.hint } : {}) });
  callbacks.emit({
    type: 'exit',
    exitCode: result.exitCode,
    ...(result.remoteExitCode !== undefined ? { remoteExitCode: result.remoteExitCode } : {}),
    durationMs: Date.now() - startedAt,
  });
  callbacks.rethrow();
  return result;
}

async function runAttempts(prepared: PreparedRun<RunWithSshOptions>, options: RunWithSshOptions, startedAt: number, deadline: AbortSignal | undefined): Promise<SshRunResult> {
  if (prepared.leaseAborted && deadline?.aborted && !options.signal?.aborted) {
    const { wrapped } = await wrapPrepared(prepared);
    return notStartedResult(wrapped, {
      timedOut: true,
      errorKind: 'timeout',
      errorMessage: `Timed out after ${options.timeoutMs} ms waiting for a pooled connection to the remote`,
      hint: 'Raise timeoutMs or multiplex.maxConcurrentPerHost; long runs hold their host slot until they end.',
      durationMs: Date.now() - startedAt,
    });
  }
  // Aborted while queued: runOnce reports it.
  const remaining = options.timeoutMs === undefined ? undefined : Math.max(0, options.timeoutMs - (Date.now() - startedAt));
  const first = await runOnce(prepared, remaining);
  // One retry, only when the remote side never started and the master turned out dead.
  const { lease } = prepared;
  if (!lease || prepared.callbacks.error !== undefined || !(await retryOnFreshMaster(lease, first))) return first;
  prepared.callbacks.emit({ type: 'retry', attempt: 1, errorKind: first.errorKind ?? 'connection-closed', delayMs: 0 });
  return runOnce(prepared, undefined);
}

async function runOnce(prepared: PreparedRun<RunWithSshOptions>, timeoutMs: number | undefined): Promise<SshRunResult> {
  const options = { ...prepared.options, timeoutMs };
  const token = randomMarkerToken();
  const { wrapped, plan } = await wrapPrepared(prepared, { statusMarker: token, keepStdin: false, frameOutput: true });
  if (options.signal?.aborted) return notStartedResult(wrapped, { aborted: true });

  const started = Date.now();
  let child: ChildProcessLike;
  try {
    child = await startPlan(plan, options.executor ?? nodeExecutor, undefined);
  } catch (error) {
    if (!(error instanceof SshWrapError)) throw error;
    const failure = await spawnFailure(plan, error);
    return notStartedResult(wrapped, { errorKind: failure.kind, errorMessage: failure.message, hint: failure.hint, durationMs: Date.now() - started });
  }
  const { result, status } = await supervise(child, plan, wrapped, token, options, {
    callbacks: prepared.callbacks,
    // A fresh master started for this run is a new connection too.
    reused: prepared.lease?.reused ?? false,
    spawn: spawnDescription(prepared.config, prepared.remote, options),
  });
  result.durationMs = Date.now() - started;
  if (!wrapped.sshRemoteUsed) return result;
  return remoteOutcome(result, status, wrapped.sshRemoteUsed.privateKeyPath, timeoutMs);
}
