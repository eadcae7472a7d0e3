import { SshWrapError } from '../errors/index.js';
import { runSucceeded, runWithSsh, wrapSpawnWithSsh, type RunWithSshOptions, type SshRunResult } from '../exec/index.js';
import { WRAP_SPAWN_OPTION_KEYS } from '../exec/options.js';
import { notStartedResult } from '../exec/outcome.js';
import { checkRunOptions } from '../exec/run.js';
import { DEFAULT_MAX_CONCURRENT_PER_HOST, resolveMultiplexOption } from '../pool/index.js';
import type { SshRemoteStoreAdapter } from '../resolve/index.js';
import { assertKnownOptions, optionKeys, parseSshSpawnWrapConfig, type SshSpawnWrapConfig } from '../schemas/index.js';
import type { SshSpawnWrapResult } from '../wrap/index.js';
import { countUnpooledRun } from './host-runs.js';
import { resolveTarget, type FleetTarget, type ResolvedTarget } from './targets.js';

/**
 * The spawn to run on each target: one config for all, or one per target (called once per
 * target, before anything starts).
 *
 * @example
 * ```ts
 * const job: FleetJob = (target, index) => ({ command: 'claude', args: ['--print'], cwd: '~/repo', prompt: prompts[index] });
 * ```
 */
export type FleetJob = SshSpawnWrapConfig | ((target: FleetTarget, index: number) => SshSpawnWrapConfig);

/**
 * `runWithSsh` options for the runs of {@link runOnMany}; `signal` is runOnMany's own.
 *
 * @example
 * ```ts
 * const runOptions: FleetRunOptions = { timeoutMs: 600_000, idleTimeoutMs: 120_000, maxBuffer: 0 };
 * ```
 */
export type FleetRunOptions = Omit<RunWithSshOptions, 'signal'>;

/**
 * Progress of {@link runOnMany}, in order: `started` when a target's run begins, `progress` each
 * time a target gets its result (ran, or not started because of `failFast`/abort).
 *
 * @example
 * ```ts
 * onEvent: (event) => event.type === 'progress' && bar.update(event.done / event.total)
 * ```
 */
export type FleetEvent =
  | { type: 'started'; index: number; remoteId: string; hostKey: string }
  | { type: 'progress'; index: number; remoteId: string; ok: boolean; done: number; total: number; failed: number };

/**
 * One target's outcome: the `SshRunResult` of its run, plus which remote it was and, when the
 * run never started, why.
 *
 * @example
 * ```ts
 * for (const result of results) {
 *   if (result.notStarted) console.log(result.remoteId, 'not started:', result.notStarted);
 *   else if (!runSucceeded(result)) console.log(result.remoteId, result.errorKind ?? result.remoteExitCode);
 * }
 * ```
 */
export interface FleetRunResult extends SshRunResult {
  /** The target's remote id. */
  remoteId: string;
  /**
   * Set exactly when no process was started for this target: `'fail-fast'` (an earlier target
   * failed and `failFast` is on; `errorMessage` names it) or `'aborted'` (the signal fired first;
   * `aborted: true`). Such a result has `remoteStarted: false`, `exitCode: null`, no `errorKind`.
   */
  notStarted?: 'fail-fast' | 'aborted';
}

/**
 * Options of {@link runOnMany}.
 *
 * @example
 * ```ts
 * const options: RunOnManyOptions = { concurrency: 16, perHostConcurrency: 4, failFast: true, runOptions: { timeoutMs: 60_000 } };
 * ```
 */
export interface RunOnManyOptions {
  /** Runs at once, all hosts together (a positive integer). Required. */
  concurrency: number;
  /** Runs at once on one machine (`host:port`, whatever the user). @default no limit beyond `concurrency` */
  perHostConcurrency?: number;
  /** Aborting stops starting runs and stops every running one, remote process groups included. */
  signal?: AbortSignal;
  /** Fleet progress (see {@link FleetEvent}); per-run events go to `runOptions.onEvent`. An exception thrown here propagates. */
  onEvent?: (event: FleetEvent) => void;
  /**
   * After the first failure (an `errorKind`, or any run `runSucceeded` rejects: a non-zero exit,
   * a timeout, a lost connection), start no more runs; runs already going finish. @default false
   */
  failFast?: boolean;
  /**
   * `runWithSsh` options for every run, or per target. `multiplex` defaults to pooled, with the
   * pool's per-host lease limit raised to the fleet's per-host limit when that is higher than 8.
   * @default { multiplex: true }
   */
  runOptions?: FleetRunOptions | ((target: FleetTarget, index: number) => FleetRunOptions);
}

const RUN_ON_MANY_OPTION_KEYS = optionKeys<RunOnManyOptions>()({ concurrency: true, perHostConcurrency: true, signal: true, onEvent: true, failFast: true, runOptions: true });

function positiveInteger(value: unknown, field: string, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new SshWrapError('INVALID_CONFIG', `${field} must be a positive integer`, { field });
  }
}

interface Planned {
  target: ResolvedTarget;
  config: SshSpawnWrapConfig;
  options: RunWithSshOptions;
  /** The wrap of this run, made up front: it validates it, and stands in the result of a run never started. */
  wrapped: SshSpawnWrapResult;
}

function wrapOptionsOf(options: RunWithSshOptions): Record<string, unknown> {
  // Only wrap options, and no onEvent: this wrap checks the input, it is not the run.
  return Object.fromEntries(Object.entries(options).filter(([key]) => key !== 'onEvent' && (WRAP_SPAWN_OPTION_KEYS as readonly string[]).includes(key)));
}

async function plan(targets: readonly FleetTarget[], job: FleetJob, store: SshRemoteStoreAdapter, options: RunOnManyOptions): Promise<Planned[]> {
  const perHost = options.perHostConcurrency ?? options.concurrency;
  const pooledDefault = { maxConcurrentPerHost: Math.min(10_000, Math.max(DEFAULT_MAX_CONCURRENT_PER_HOST, perHost)) };
  return Promise.all(
    targets.map(async (target, index) => {
      const resolved = await resolveTarget(target, store);
      const config = typeof job === 'function' ? job(target, index) : job;
      parseSshSpawnWrapConfig(config);
      const own = typeof options.runOptions === 'function' ? options.runOptions(target, index) : (options.runOptions ?? {});
      if ('signal' in (own ?? {})) throw new SshWrapError('INVALID_CONFIG', 'runOptions cannot carry a signal; pass it to runOnMany', { field: 'runOptions.signal' });
      checkRunOptions(own, 'runOnMany runOptions');
      // One stream can feed one run: shared by several, the first would take every byte.
      if (typeof options.runOptions !== 'function' && targets.length > 1 && own.input !== undefined && typeof own.input !== 'string' && !(own.input instanceof Uint8Array)) {
        throw new SshWrapError('INVALID_CONFIG', 'runOptions.input is a stream, which can feed only one run; give each target its own with a runOptions function, or pass text or bytes', {
          field: 'runOptions.input',
        });
      }
      const runOptions: RunWithSshOptions = { ...own, multiplex: 'multiplex' in own ? own.multiplex : pooledDefault };
      const wrapped = await wrapSpawnWithSsh(config, resolved.agentSsh, resolved.store, wrapOptionsOf(runOptions));
      return { target: resolved, config, options: runOptions, wrapped };
    }),
  );
}

/**
 * Runs a job on many hosts: each target through `runWithSsh` (pooled by default), at most
 * `concurrency` at once and at most `perHostConcurrency` per machine (`host:port`). The result
 * array is in target order, one {@link FleetRunResult} per target, failures included (with their
 * `errorKind`); it never rejects for a run's failure.
 *
 * Targets wait in order; a target whose machine is full is passed over for the next one whose
 * machine has room, so one busy host never holds up the others. Aborting `signal` stops every
 * running run (the runners' stop path: local ssh and the remote process group) and starts no
 * more. With `failFast`, the first failure stops starting runs; the rest say `notStarted: 'fail-fast'`.
 *
 * Everything is checked before anything is spawned: every target resolved, every job config,
 * every run's options, every wrap.
 *
 * @throws {SshWrapError} for bad input only (`INVALID_CONFIG`, `UNSAFE_ARGUMENT`,
 *   `REMOTE_NOT_FOUND`, `COMMAND_TOO_LONG`), before any process starts.
 * @example
 * ```ts
 * const results = await runOnMany(['gpu-1', 'gpu-2', 'cpu-1'], { command: 'nvidia-smi', args: ['-L'], cwd: '~' }, store, {
 *   concurrency: 16,
 *   perHostConcurrency: 4,
 *   onEvent: (event) => event.type === 'progress' && console.error(`${event.done}/${event.total}, ${event.failed} failed`),
 * });
 * for (const result of results) console.log(result.remoteId, result.errorKind ?? result.remoteExitCode);
 * ```
 */
export async function runOnMany(
  targets: readonly FleetTarget[],
  job: FleetJob,
  store: SshRemoteStoreAdapter,
  options: RunOnManyOptions,
): Promise<FleetRunResult[]> {
  assertKnownOptions(options, RUN_ON_MANY_OPTION_KEYS, 'runOnMany options');
  if (options === undefined) throw new SshWrapError('INVALID_CONFIG', 'runOnMany needs options with concurrency', { field: 'concurrency' });
  positiveInteger(options.concurrency, 'concurrency', true);
  positiveInteger(options.perHostConcurrency, 'perHostConcurrency', false);
  if (!Array.isArray(targets)) throw new SshWrapError('INVALID_CONFIG', 'targets must be an array', { field: 'targets' });
  const planned = await plan(targets, job, store, options);
  return new FleetScheduler(planned, options).run();
}

/**
 * The fan-out loop: a queue in target order, a global and a per-host count. Own code rather than
 * p-limit: p-limit has no per-key limits and is ESM-only (this package also ships CommonJS).
 */
class FleetScheduler {
  readonly #planned: Planned[];
  readonly #options: RunOnManyOptions;
  readonly #results: FleetRunResult[];
  readonly #pending: number[];
  readonly #perHost = new Map<string, number>();
  readonly #perHostLimit: number;
  #running = 0;
  #done = 0;
  #failed = 0;
  #stopped: 'fail-fast' | 'aborted' | undefined;
  #firstFailure: string | undefined;
  #finish: (() => void) | undefined;
  #error: unknown;

  constructor(planned: Planned[], options: RunOnManyOptions) {
    this.#planned = planned;
    this.#options = options;
    this.#results = new Array<FleetRunResult>(planned.length);
    this.#pending = planned.map((_, index) => index);
    this.#perHostLimit = options.perHostConcurrency ?? Infinity;
  }

  async run(): Promise<FleetRunResult[]> {
    if (this.#planned.length === 0) return [];
    const { signal } = this.#options;
    const onAbort = (): void => this.#stop('aborted');
    signal?.addEventListener('abort', onAbort, { once: true });
    const finished = new Promise<void>((resolve) => {
      this.#finish = resolve;
    });
    try {
      if (signal?.aborted) this.#stop('aborted');
      else this.#pump();
      await finished;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (this.#error !== undefined) throw this.#error;
    return this.#results;
  }

  #emit(event: Parameters<NonNullable<RunOnManyOptions['onEvent']>>[0]): void {
    try {
      this.#options.onEvent?.(event);
    } catch (error) {
      // The caller's callback failed: remember it, start nothing more, let running runs end.
      this.#error ??= error;
      this.#stopped ??= 'fail-fast';
    }
  }

  #pump(): void {
    for (let position = 0; position < this.#pending.length && this.#running < this.#options.concurrency && !this.#stopped; ) {
      const index = this.#pending[position]!;
      const host = this.#planned[index]!.target.hostKey;
      if ((this.#perHost.get(host) ?? 0) >= this.#perHostLimit) {
        position++;
        continue;
      }
      this.#pending.splice(position, 1);
      void this.#start(index);
    }
    if (this.#stopped) this.#skipPending();
    if (this.#done === this.#planned.length) this.#finish?.();
  }

  async #start(index: number): Promise<void> {
    const { target, config, options } = this.#planned[index]!;
    this.#running++;
    this.#perHost.set(target.hostKey, (this.#perHost.get(target.hostKey) ?? 0) + 1);
    // Runs with multiplex off hold no pool lease; count them for pickHost here.
    const uncount = resolveMultiplexOption(options.multiplex) === null ? countUnpooledRun(target.remote) : () => {};
    let result: FleetRunResult;
    try {
      this.#emit({ type: 'started', index, remoteId: target.remote.id, hostKey: target.hostKey });
      const run = await runWithSsh(config, target.agentSsh, target.store, { ...options, ...(this.#options.signal ? { signal: this.#options.signal } : {}) });
      result = { ...run, remoteId: target.remote.id };
    } catch (error) {
      // Input was checked up front, so this is a callback of the caller's throwing: keep the
      // first one for the caller and fill the slot so the array stays complete.
      this.#error ??= error;
      this.#stopped ??= 'fail-fast';
      result = { ...notStartedResult(this.#planned[index]!.wrapped, { errorMessage: String(error) }), remoteId: target.remote.id };
    } finally {
      uncount();
      this.#running--;
      this.#perHost.set(target.hostKey, this.#perHost.get(target.hostKey)! - 1);
    }
    this.#record(index, result);
    if (!runSucceeded(result) && this.#options.failFast && !this.#stopped) {
      this.#firstFailure = target.remote.id;
      this.#stopped = 'fail-fast';
    }
    this.#pump();
  }

  #record(index: number, result: FleetRunResult): void {
    this.#results[index] = result;
    this.#done++;
    const ok = runSucceeded(result);
    if (!ok) this.#failed++;
    this.#emit({ type: 'progress', index, remoteId: result.remoteId, ok, done: this.#done, total: this.#planned.length, failed: this.#failed });
  }

  #stop(reason: 'fail-fast' | 'aborted'): void {
    this.#stopped ??= reason;
    this.#pump();
  }

  #skipPending(): void {
    const reason = this.#stopped!;
    for (const index of this.#pending.splice(0)) {
      const { wrapped, target } = this.#planned[index]!;
      const extra =
        reason === 'aborted'
          ? { aborted: true }
          : { errorMessage: `Not started: failFast${this.#firstFailure ? ` after ${this.#firstFailure} failed` : ''}` };
      this.#record(index, { ...notStartedResult(wrapped, extra), remoteId: target.remote.id, notStarted: reason });
    }
  }
}
