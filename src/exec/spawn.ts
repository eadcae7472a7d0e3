import { SshWrapError } from '../errors/index.js';
import type { SshRemoteStoreAdapter } from '../resolve/index.js';
import { parseSshSpawnWrapConfig, type AgentSshRemoteConfig, type ParsedSshSpawnWrapConfig, type SshSpawnWrapConfig } from '../schemas/index.js';
import { promptFitsThreshold, promptWords, wrapSpawnWithSsh, type SshSpawnWrapResult, type WrapSpawnOptions } from '../wrap/index.js';
import { nodeExecutor, type ChildProcessLike, type SpawnExecutor } from '../process/executor.js';
import type { Askpass } from '../auth/index.js';
import { withRunAskpass } from './askpass-run.js';
import { pinRemote } from './pinned-store.js';
import { acquireForAgent, withLeaseOptions, type ConnectionPool, type Lease, type MultiplexOption } from '../pool/index.js';
import { randomMarkerToken } from './markers.js';
import { remoteChild } from './remote-child.js';
import { writeStdin } from './stdin.js';


/**
 * Options for {@link spawnWithSsh}: everything {@link WrapSpawnOptions} takes, plus how to spawn.
 *
 * @example
 * ```ts
 * const options: SpawnWithSshOptions = { executor: nodeExecutor, keepStdin: true, signal: controller.signal };
 * ```
 */
export interface SpawnWithSshOptions extends WrapSpawnOptions {
  /** How processes are started. @default nodeExecutor */
  executor?: SpawnExecutor;
  /** Handed to the executor; the default executor kills the process on abort. @default undefined */
  signal?: AbortSignal;
  /**
   * Environment of the LOCAL process (ssh, or the command itself when running locally; then
   * `customEnvVars` and `secretEnv` are added on top). @default process.env
   */
  env?: NodeJS.ProcessEnv;
  /**
   * Answers ssh's passphrase/password prompts (see `createAskpass`). Without it, a remote with a
   * `passphrase` gets a bridge for the duration of the run; otherwise BatchMode forbids prompts.
   * @default undefined
   */
  askpass?: Askpass;
  /**
   * Reuse connections through OpenSSH multiplexing (ControlMaster), with a per-host concurrency
   * limit: `true` for the defaults, or see {@link MultiplexOption}. @default undefined (off)
   */
  multiplex?: MultiplexOption;
  /** The pool `multiplex` leases from. @default defaultConnectionPool */
  connectionPool?: ConnectionPool;
}

/**
 * What {@link spawnWithSsh} returns.
 *
 * @example
 * ```ts
 * const { child, wrapped, stdinWritten }: SpawnWithSshResult = await spawnWithSsh(config, agentSsh, store);
 * ```
 */
export interface SpawnWithSshResult {
  /** The running process (ssh, or the command itself for a local run). */
  child: ChildProcessLike;
  /** The wrap result that was spawned. */
  wrapped: SshSpawnWrapResult;
  /**
   * Settles when the stdin input is written (and stdin ended, unless `keepStdin`); resolves to
   * the write error, e.g. EPIPE when ssh exited before reading, or `undefined`.
   */
  stdinWritten: Promise<Error | undefined>;
}

/** A concrete spawn: what to start and what to feed it. */
export interface SpawnPlan {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Bytes for stdin, if any. */
  input: string | undefined;
  keepStdin: boolean;
  local: boolean;
}

/**
 * Turns a wrap result into a spawn. Remote: exactly the wrap result and its `stdin`. Local:
 * the wrap layer leaves the prompt to the caller (Maestro's process manager places it), so it
 * is placed here the same way the remote script would: embedded when small, on stdin when large.
 */
export function planSpawn(wrapped: SshSpawnWrapResult, config: ParsedSshSpawnWrapConfig, options: SpawnWithSshOptions): SpawnPlan {
  const keepStdin = options.keepStdin ?? false;
  const baseEnv = options.env ?? process.env;
  if (wrapped.sshRemoteUsed !== null) {
    return { command: wrapped.command, args: wrapped.args, cwd: wrapped.cwd, env: baseEnv, input: wrapped.stdin, keepStdin, local: false };
  }
  const env = { ...baseEnv, ...wrapped.customEnvVars, ...options.secretEnv };
  const prompt = wrapped.prompt;
  if (prompt === undefined || promptFitsThreshold(prompt, options.promptStdinThreshold)) {
    return { command: wrapped.command, args: [...wrapped.args, ...promptWords(config)], cwd: wrapped.cwd, env, input: undefined, keepStdin, local: true };
  }
  return { command: wrapped.command, args: wrapped.args, cwd: wrapped.cwd, env, input: prompt, keepStdin, local: true };
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

function destroyStdio(child: ChildProcessLike): void {
  for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.destroy();
}

/**
 * Starts a plan and waits until the process really runs. Spawn failures (ENOENT, EACCES,
 * E2BIG, a missing local cwd) become `SshWrapError('SPAWN_FAILED')` with the original error as
 * `cause`, after the half-made child's pipes are closed.
 */
export async function startPlan(plan: SpawnPlan, executor: SpawnExecutor, signal: AbortSignal | undefined): Promise<SpawnWithSshResult['child']> {
  if (signal?.aborted) throw abortReason(signal);
  let child: ChildProcessLike;
  try {
    child = executor.spawn(plan.command, plan.args, { cwd: plan.cwd, env: plan.env, signal });
  } catch (error) {
    throw spawnFailed(plan, error);
  }
  await new Promise<void>((resolve, reject) => {
    let done = false;
    const onSpawn = (): void => {
      if (done) return;
      done = true;
      child.removeListener('error', onError);
      resolve();
    };
    const onError = (error: unknown): void => {
      if (done) return;
      done = true;
      child.removeListener('spawn', onSpawn);
      destroyStdio(child);
      reject(spawnFailed(plan, error));
    };
    child.once('spawn', onSpawn);
    child.once('error', onError);
    // execa reports a synchronous spawn failure (E2BIG, bad options) only through its promise and
    // returns a dummy process that never emits 'spawn' or 'error'; a promise that settles before
    // 'spawn' therefore means the process never started.
    if (isThenable(child)) {
      child.then(
        (value) => onError((value as { cause?: unknown } | undefined)?.cause ?? new Error('the process exited before it started')),
        (error: unknown) => onError((error as { cause?: unknown } | undefined)?.cause ?? error),
      );
    }
  });
  return child;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown }).then === 'function';
}

function spawnFailed(plan: SpawnPlan, error: unknown): SshWrapError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const what = plan.local ? `"${plan.command}"` : `the ssh client "${plan.command}"`;
  return new SshWrapError('SPAWN_FAILED', `Could not start ${what}: ${code ?? (error as Error)?.message ?? String(error)}`, {
    cause: error,
    hint: plan.local
      ? 'Check that the command is installed (or pass its full path) and that the working directory exists.'
      : code === 'E2BIG'
        ? 'The local environment or arguments are too large for one process; trim process.env or pass options.env.'
        : 'Install the OpenSSH client (ssh on PATH) or set sshPath.',
  });
}

/** Feeds a started plan's stdin (see {@link SpawnWithSshResult.stdinWritten}). */
export function feedStdin(child: ChildProcessLike, plan: SpawnPlan): Promise<Error | undefined> {
  const stdin = child.stdin;
  if (!stdin) return Promise.resolve(undefined);
  return writeStdin(stdin, plan.input ?? '', { end: !plan.keepStdin });
}

/**
 * Wraps a spawn with {@link wrapSpawnWithSsh} and starts it: ssh with the remote command, or the
 * command itself when SSH is off for this agent. The stdin input (a large prompt and/or
 * `secretEnv` values) is streamed with backpressure and stdin is ended, so the remote command
 * sees EOF; with `keepStdin` the input is written and stdin stays open for you.
 *
 * For a remote run the child's `stderr` has sshwrap's status lines removed, and `kill()` (or
 * aborting `signal`) also stops the remote process group: killing only the local ssh would leave a
 * no-tty remote command running.
 *
 * Resolves once the process is running. Bad input rejects with `SshWrapError` before anything
 * starts; a process that cannot be started rejects with `SshWrapError('SPAWN_FAILED')`, with
 * nothing left running.
 *
 * @example
 * ```ts
 * const { child, wrapped } = await spawnWithSsh(
 *   { command: 'claude', args: ['--print'], cwd: '/srv/app', prompt: 'Summarise README.md' },
 *   { enabled: true, remoteId: 'gpu-1' },
 *   createMemoryStoreAdapter(remotes),
 * );
 * child.stdout!.pipe(process.stdout);
 * child.on('exit', (code) => console.log(wrapped.sshRemoteUsed?.host, 'exited', code));
 * ```
 */
export async function spawnWithSsh(
  config: SshSpawnWrapConfig,
  agentSsh: AgentSshRemoteConfig | null | undefined,
  store: SshRemoteStoreAdapter,
  options: SpawnWithSshOptions = {},
): Promise<SpawnWithSshResult> {
  const parsed = parseSshSpawnWrapConfig(config);
  store = await pinRemote(agentSsh, store);
  const askpass = await withRunAskpass(agentSsh, store, options);
  let lease: Lease | undefined;
  try {
    lease = await acquireForAgent(agentSsh, store, options.multiplex, askpass.options);
    const leased = withLeaseOptions(askpass.options, lease);
    // The status markers give the remote pid, so kill() and abort can stop the remote side too.
    const token = options.statusMarker ?? randomMarkerToken();
    const wrapped = await wrapSpawnWithSsh(parsed, agentSsh, store, { ...leased, statusMarker: token });
    const plan = planSpawn(wrapped, parsed, leased);
    const executor = leased.executor ?? nodeExecutor;
    const started = await startPlan(plan, executor, wrapped.sshRemoteUsed ? undefined : options.signal);
    const child = wrapped.sshRemoteUsed
      ? remoteChild(started, { ...leased, wrapped, token, executor, env: plan.env, signal: options.signal })
      : started;
    child.once('exit', () => lease?.release());
    child.once('close', () => void askpass.release());
    return { child, wrapped, stdinWritten: feedStdin(child, plan) };
  } catch (error) {
    lease?.release();
    await askpass.release();
    throw error;
  }
}
