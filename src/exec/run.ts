import type { SshRemoteStoreAdapter } from '../resolve/index.js';
import { SshWrapError } from '../errors/index.js';
import { parseSshSpawnWrapConfig, type AgentSshRemoteConfig, type SshSpawnWrapConfig } from '../schemas/index.js';
import { wrapSpawnWithSsh } from '../wrap/index.js';
import { nodeExecutor, type ChildProcessLike } from '../process/executor.js';
import { withRunAskpass } from './askpass-run.js';
import { pinRemote } from './pinned-store.js';
import { randomMarkerToken } from './markers.js';
import { notStartedResult, remoteOutcome, spawnFailure } from './outcome.js';
import type { SshRunResult } from './result.js';
import { planSpawn, startPlan, type SpawnWithSshOptions } from './spawn.js';
import { supervise } from './supervise.js';
import { acquireForAgent, retryOnFreshMaster, withLeaseOptions, type Lease } from '../pool/index.js';

/**
 * Options for {@link runWithSsh}: the wrap options (except `statusMarker`, which is always a
 * fresh random token, and `keepStdin`, since nobody could write to it), plus run limits.
 *
 * @example
 * ```ts
 * const options: RunWithSshOptions = { timeoutMs: 60_000, maxBuffer: 1_000_000, onStderr: (t) => log.warn(t) };
 * ```
 */
export interface RunWithSshOptions extends Omit<SpawnWithSshOptions, 'statusMarker' | 'keepStdin'> {
  /** Kill the run after this many milliseconds (`timedOut: true`). @default undefined (no limit) */
  timeoutMs?: number;
  /** Abort the run (`aborted: true`); the local ssh and the remote command are stopped. @default undefined */
  signal?: AbortSignal;
  /** Bytes kept per stream; beyond that the text is truncated and flagged, the stream still drained. @default 100_000_000 */
  maxBuffer?: number;
  /** Called with each decoded chunk of stdout, unlimited by `maxBuffer`. @default undefined */
  onStdout?: (text: string) => void;
  /** Called with each decoded chunk of stderr, status markers already removed. @default undefined */
  onStderr?: (text: string) => void;
  /** Time between SIGTERM and SIGKILL for the local process on timeout or abort. @default 2000 */
  killGraceMs?: number;
  /**
   * On timeout or abort, also stop the remote command (TERM, then KILL, to its process group
   * over a second ssh connection): killing the local ssh alone leaves it running remotely.
   * @default true
   */
  killRemote?: boolean;
}

function checkLimit(value: number | undefined, name: string): void {
  if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
    throw new SshWrapError('INVALID_CONFIG', `${name} must be a non-negative number`, { field: name });
  }
}

/**
 * Runs a spawn through {@link spawnWithSsh} to completion and reports how it ended. Output is
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
  checkLimit(options.timeoutMs, 'timeoutMs');
  checkLimit(options.maxBuffer, 'maxBuffer');
  checkLimit(options.killGraceMs, 'killGraceMs');
  const startedAt = Date.now();
  store = await pinRemote(agentSsh, store);
  const askpass = await withRunAskpass(agentSsh, store, options);
  let lease: Lease | undefined;
  try {
    // timeoutMs covers the wait for a pooled slot or master too, not only the run itself.
    const deadline = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
    const signals = [options.signal, deadline].filter((signal): signal is AbortSignal => signal !== undefined);
    const waitSignal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    try {
      lease = await acquireForAgent(agentSsh, store, options.multiplex, { ...askpass.options, signal: waitSignal });
    } catch (error) {
      if (!waitSignal?.aborted) throw error;
      if (deadline?.aborted && !options.signal?.aborted) {
        const wrapped = await wrapSpawnWithSsh(parseSshSpawnWrapConfig(config), agentSsh, store, { ...askpass.options, multiplex: undefined });
        return notStartedResult(wrapped, {
          timedOut: true,
          errorKind: 'timeout',
          errorMessage: `Timed out after ${options.timeoutMs} ms waiting for a pooled connection to the remote`,
          hint: 'Raise timeoutMs or multiplex.maxConcurrentPerHost; long runs hold their host slot until they end.',
          durationMs: Date.now() - startedAt,
        });
      }
      // Aborted while queued: runPrepared reports it.
    }
    const leased = withLeaseOptions(askpass.options, lease);
    const remaining = options.timeoutMs === undefined ? undefined : Math.max(0, options.timeoutMs - (Date.now() - startedAt));
    const first = await runPrepared(config, agentSsh, store, { ...leased, timeoutMs: remaining });
    // One retry, only when the remote side never started and the master turned out dead.
    return lease && (await retryOnFreshMaster(lease, first)) ? await runPrepared(config, agentSsh, store, leased) : first;
  } finally {
    lease?.release();
    await askpass.release();
  }
}

async function runPrepared(
  config: SshSpawnWrapConfig,
  agentSsh: AgentSshRemoteConfig | null | undefined,
  store: SshRemoteStoreAdapter,
  options: RunWithSshOptions,
): Promise<SshRunResult> {
  const token = randomMarkerToken();
  const parsed = parseSshSpawnWrapConfig(config);
  const wrapOptions: SpawnWithSshOptions = { ...options, statusMarker: token, keepStdin: false, signal: undefined };
  const wrapped = await wrapSpawnWithSsh(parsed, agentSsh, store, wrapOptions);
  const plan = planSpawn(wrapped, parsed, wrapOptions);
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
  const { result, status } = await supervise(child, plan, wrapped, token, options);
  result.durationMs = Date.now() - started;
  if (!wrapped.sshRemoteUsed) return result;
  return remoteOutcome(result, status, wrapped.sshRemoteUsed.privateKeyPath, options.timeoutMs);
}
