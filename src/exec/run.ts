import type { SshRemoteStoreAdapter } from '../resolve/index.js';
import { SshWrapError } from '../errors/index.js';
import { assertKnownOptions, assertNonNegative, type AgentSshRemoteConfig, type SshSpawnWrapConfig } from '../schemas/index.js';
import type { SshSpawnWrapResult } from '../wrap/index.js';
import { nodeExecutor, type ChildProcessLike } from '../process/executor.js';
import { randomMarkerToken } from './markers.js';
import { RUN_OPTION_KEYS, type RunWithSshOptions } from './options.js';
import { notStartedResult, remoteOutcome, spawnFailure } from './outcome.js';
import { prepareRun, wrapPrepared, type PreparedRun } from './prepare.js';
import { spawnDescription } from './events.js';
import type { SshRunResult } from './result.js';
import { startPlan, type SpawnPlan } from './start.js';
import { resolveRetry, retryDelay, retryReason, type RetryPolicy } from './retry.js';
import { acquireHandshakeSlot, checkHandshakeLimit } from './handshake-gate.js';
import { supervise } from './supervise.js';
import { checkInput } from './input.js';
import { resolveMultiplexOption } from '../pool/index.js';
import { stageAttachments, withoutAttachmentOptions } from '../files/attachments.js';
import { spawnWithSsh } from './spawn.js';

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
 * `attachments` are uploaded first into a private per-run directory and removed before this
 * resolves, however the run ended (docs/files.md); an upload that fails throws
 * `RemoteFileError` (the run never began), bad attachments throw `SshWrapError`
 * (`INVALID_CONFIG`, `ATTACHMENT_TOO_LARGE`) before anything is sent.
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
  const policy = checkRunOptions(options);
  if (options.attachments !== undefined || options.attachmentArgs !== undefined || options.maxAttachmentBytes !== undefined) {
    // Uploaded first (one pooled round trip each when multiplexing), removed whatever way the run ends.
    const { config: withPaths, staged } = await stageAttachments(spawnWithSsh, config, agentSsh, store, options);
    try {
      return await runWithSsh(withPaths, agentSsh, store, withoutAttachmentOptions(options));
    } finally {
      await staged.cleanup();
    }
  }
  const startedAt = Date.now();
  // timeoutMs covers the wait for a pooled slot or master too, not only the run itself.
  const deadline = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
  const signals = [options.signal, deadline].filter((signal): signal is AbortSignal => signal !== undefined);
  const waitSignal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  const prepared = await prepareRun(config, agentSsh, store, options, waitSignal);
  const { callbacks } = prepared;
  let result: SshRunResult;
  try {
    result = await runAttempts(prepared, options, policy, startedAt, deadline, waitSignal);
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

/**
 * The option checks of {@link runWithSsh}, on their own so a caller that starts many runs
 * (`runOnMany`) can refuse bad options before the first one spawns. Returns the retry policy.
 *
 * @throws {SshWrapError} `INVALID_CONFIG` for an unknown key or a bad limit, retry or multiplex value.
 * @example
 * ```ts
 * checkRunOptions({ timeoutMs: 60_000, retry: false }); // { attempts: 1, … }
 * ```
 */
export function checkRunOptions(options: RunWithSshOptions, subject = 'runWithSsh options'): RetryPolicy {
  assertKnownOptions(options, RUN_OPTION_KEYS, subject);
  assertNonNegative(options.timeoutMs, 'timeoutMs');
  assertNonNegative(options.maxBuffer, 'maxBuffer');
  assertNonNegative(options.killGraceMs, 'killGraceMs');
  assertNonNegative(options.idleTimeoutMs, 'idleTimeoutMs');
  checkInput(options.input);
  checkHandshakeLimit(options.maxConcurrentHandshakesPerHost);
  resolveMultiplexOption(options.multiplex);
  return resolveRetry(options.retry);
}

async function runAttempts(
  prepared: PreparedRun<RunWithSshOptions>,
  options: RunWithSshOptions,
  policy: RetryPolicy,
  startedAt: number,
  deadline: AbortSignal | undefined,
  waitSignal: AbortSignal | undefined,
): Promise<SshRunResult> {
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
  const remaining = (): number | undefined => (options.timeoutMs === undefined ? undefined : Math.max(0, options.timeoutMs - (Date.now() - startedAt)));
  // A retry on a fresh master is a new connection, whatever the lease said at first.
  let reused = prepared.lease?.reused ?? false;
  // Bounded: resolveRetry caps policy.attempts.
  for (let attempt = 1; ; attempt++) {
    // Aborted while queued or waiting: runOnce reports it.
    const result = await runOnce(prepared, remaining(), waitSignal, reused);
    result.attempts = attempt;
    if (attempt >= policy.attempts || prepared.callbacks.error !== undefined) return result;
    const reason = await retryReason(result, prepared.lease);
    if (!reason) return result;
    // A dead master is already forgotten: the next try starts a fresh connection, waiting adds nothing.
    const delayMs = reason.freshMaster ? 0 : retryDelay(policy, attempt);
    if (reason.freshMaster) reused = false;
    const left = remaining();
    // No time for the wait and a try after it: the failure stands as it is.
    if (left !== undefined && delayMs >= left) return result;
    prepared.callbacks.emit({ type: 'retry', attempt, errorKind: reason.errorKind, delayMs });
    if (prepared.callbacks.error !== undefined) return result;
    if (!(await pause(delayMs, options.signal))) {
      // Aborted between tries: reported like an abort before the command started.
      const { errorKind: _kind, errorMessage: _message, hint: _hint, ...rest } = result;
      return { ...rest, aborted: true };
    }
  }
}

/** Waits `ms`; resolves `false` at once when `signal` aborts first. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function runOnce(prepared: PreparedRun<RunWithSshOptions>, timeoutMs: number | undefined, waitSignal: AbortSignal | undefined, reused: boolean): Promise<SshRunResult> {
  const options = { ...prepared.options, timeoutMs };
  const token = randomMarkerToken();
  // The lifeline ties the remote command to ssh's stdin, so it never outlives this process.
  // With `input` the command reads ssh's stdin itself (as with keepStdin), which replaces the lifeline.
  const hasInput = options.input !== undefined;
  const { wrapped, plan } = await wrapPrepared(prepared, { statusMarker: token, keepStdin: hasInput, frameOutput: true, lifeline: hasInput ? false : (options.lifeline ?? true) });
  if (options.signal?.aborted) return notStartedResult(wrapped, { aborted: true });

  const waitStarted = Date.now();
  let releaseHandshake: () => void;
  try {
    releaseHandshake = await acquireHandshakeSlot(wrapped.sshRemoteUsed, prepared.lease, options.maxConcurrentHandshakesPerHost, waitSignal);
  } catch (error) {
    if (!waitSignal?.aborted) throw error;
    if (options.signal?.aborted) return notStartedResult(wrapped, { aborted: true, durationMs: Date.now() - waitStarted });
    return notStartedResult(wrapped, {
      timedOut: true,
      errorKind: 'timeout',
      errorMessage: `Timed out after ${prepared.options.timeoutMs} ms waiting to connect: other runs to this host were connecting (maxConcurrentHandshakesPerHost)`,
      hint: 'Raise timeoutMs, or maxConcurrentHandshakesPerHost when the server allows more simultaneous handshakes (sshd MaxStartups).',
      durationMs: Date.now() - waitStarted,
    });
  }
  try {
    return await superviseOnce(prepared, options, token, wrapped, plan, releaseHandshake, reused);
  } finally {
    releaseHandshake();
  }
}

async function superviseOnce(
  prepared: PreparedRun<RunWithSshOptions>,
  options: RunWithSshOptions,
  token: string,
  wrapped: SshSpawnWrapResult,
  plan: SpawnPlan,
  releaseHandshake: () => void,
  reused: boolean,
): Promise<SshRunResult> {
  const { timeoutMs } = options;
  const started = Date.now();
  let child: ChildProcessLike;
  try {
    ({ child } = await startPlan(plan, options.executor ?? nodeExecutor, undefined));
  } catch (error) {
    if (!(error instanceof SshWrapError)) throw error;
    const failure = await spawnFailure(plan, error);
    return notStartedResult(wrapped, { errorKind: failure.kind, errorMessage: failure.message, hint: failure.hint, durationMs: Date.now() - started });
  }
  const { result, status } = await supervise(child, plan, wrapped, token, options, {
    callbacks: prepared.callbacks,
    // A fresh master started for this run is a new connection too.
    reused,
    spawn: spawnDescription(prepared.config, prepared.remote, options),
    // The session is authenticated and the script runs: the handshake is over.
    onMarker: (event) => event === 'pid' && releaseHandshake(),
  });
  result.durationMs = Date.now() - started;
  if (!wrapped.sshRemoteUsed) return result;
  const outcome = await remoteOutcome(result, status, wrapped.sshRemoteUsed.privateKeyPath, timeoutMs, options.executor);
  // Stopped for idleness, on purpose: the exit status that never came is no lost connection.
  return outcome.idleTimedOut ? { ...outcome, connectionLost: false } : outcome;
}
