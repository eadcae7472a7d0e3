import { SshWrapError } from '../errors/index.js';
import type { ParsedSshSpawnWrapConfig } from '../schemas/index.js';
import { promptFitsThreshold, promptWords, type SshSpawnWrapResult } from '../wrap/index.js';
import { stdinParts } from '../wrap/wrap-remote.js';
import type { ChildProcessLike, SpawnExecutor } from '../process/executor.js';
import type { SpawnWithSshOptions } from './options.js';
import { writeStdin } from './stdin.js';

/** A concrete spawn: what to start and what to feed it. */
export interface SpawnPlan {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Bytes for stdin, if any (in pieces written one after the other). */
  input: string | readonly string[] | undefined;
  /** Leave stdin open once `input` is written: `keepStdin`, or the lifeline (see `RemoteWrapOptions.lifeline`). */
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
    // With the lifeline, ending ssh's stdin would stop the remote command: it stays open until ssh exits.
    return { command: wrapped.command, args: wrapped.args, cwd: wrapped.cwd, env: baseEnv, input: stdinParts(wrapped), keepStdin: keepStdin || wrapped.lifeline === true, local: false };
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
 * Starts a plan and waits until the process really runs. The child comes back wrapped: an async
 * function that returned an execa subprocess (a thenable) would resolve to its result instead. Spawn failures (ENOENT, EACCES,
 * E2BIG, a missing local cwd) become `SshWrapError('SPAWN_FAILED')` with the original error as
 * `cause`, after the half-made child's pipes are closed.
 */
export async function startPlan(plan: SpawnPlan, executor: SpawnExecutor, signal: AbortSignal | undefined): Promise<{ child: ChildProcessLike }> {
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
  return { child };
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

/** Feeds a started plan's stdin (see `SpawnWithSshResult.stdinWritten`). */
export function feedStdin(child: ChildProcessLike, plan: SpawnPlan): Promise<Error | undefined> {
  const stdin = child.stdin;
  if (!stdin) return Promise.resolve(undefined);
  const parts = typeof plan.input === 'string' ? [plan.input] : [...(plan.input ?? [])];
  const end = !plan.keepStdin;
  if (parts.length <= 1) return writeStdin(stdin, parts[0] ?? '', { end });
  return (async () => {
    for (const [index, part] of parts.entries()) {
      const error = await writeStdin(stdin, part, { end: end && index === parts.length - 1 });
      if (error) return error;
    }
    return undefined;
  })();
}

