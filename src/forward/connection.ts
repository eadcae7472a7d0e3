import { randomBytes } from 'node:crypto';
import { classifySshFailure, SSH_FAILURE_HINTS } from '../classify/index.js';
import { SshWrapError } from '../errors/index.js';
import { nodeExecutor, type ChildProcessLike, type SpawnExecutor } from '../process/executor.js';
import type { SshRemoteConfig } from '../schemas/index.js';
import { anyShellCommand } from '../wrap/index.js';
import { buildForwardSshArgs, type ForwardSpec } from '../wrap/forward-args.js';
import { SshForwardError } from './error.js';

/** How the forwarding connections of one call reach the remote (as for runs). @internal */
export interface ForwardConnectionContext {
  executor: SpawnExecutor;
  sshPath: string;
  sshConfigFile?: string | undefined;
  allowUnsafeOptions?: readonly string[] | undefined;
  env?: NodeJS.ProcessEnv | undefined;
}

/** A running forwarding connection whose forwards are in place. @internal */
export interface ForwardConnection {
  readonly child: ChildProcessLike;
  /** Resolves once ssh has exited (for any reason), with its stderr. */
  readonly exited: Promise<{ code: number | null; stderr: string }>;
  /** Sends one line to the remote echo loop; resolves when it came back (the session round trip). */
  roundTrip(text: string, timeoutMs: number): Promise<boolean>;
  /** stderr so far. */
  stderr(): string;
  /** Sends `close`: the remote runs `after` and says so; resolves whether it did within `timeoutMs`. */
  finish(timeoutMs: number): Promise<boolean>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once ssh has exited. */
  stop(graceMs?: number): Promise<void>;
}

const MAX_STDERR = 64 * 1024;

/**
 * The remote side of a forwarding connection: a POSIX script (sent through `anyShellCommand`, so
 * any login shell) that runs `before`, prints `<token>:ready`, then echoes every stdin line back
 * as `<token>:<line>` (the session round trip the `-L` probe is sequenced with). The line `close`
 * runs `after` and prints `<token>:done`. A bare stdin EOF (ssh killed, connection lost) runs
 * nothing, so a connection that is being re-established keeps its remote directory.
 *
 * sshd handles the client's forwarding requests before it opens the session (ssh.c
 * `ssh_session2` calls `ssh_init_forwarding` first, and sshd processes messages in order), so
 * `ready` means: local listeners bound, remote forwards accepted.
 */
function remoteScript(token: string, before: readonly string[], after: readonly string[]): string {
  return [
    ...before,
    `printf '%s\\n' '${token}:ready'`,
    'while IFS= read -r __sw_l; do',
    `  if [ "$__sw_l" = close ]; then`,
    ...after.map((line) => `    ${line}`),
    `    printf '%s\\n' '${token}:done'; exit 0`,
    '  fi',
    `  printf '%s\\n' "${token}:$__sw_l"`,
    'done',
  ].join('\n');
}

/**
 * Starts one `ssh` that carries `forwards` (its own connection: see docs/forwarding.md) and
 * resolves once they are in place, or rejects with {@link SshForwardError} (ssh exited, or
 * `timeoutMs` passed). `before`/`after` are POSIX script lines run on the remote before `ready`
 * and after the `close` line. @internal
 */
export function startForwardConnection(
  remote: SshRemoteConfig,
  forwards: readonly ForwardSpec[],
  context: ForwardConnectionContext,
  script: { before?: readonly string[]; after?: readonly string[]; timeoutMs: number },
): Promise<ForwardConnection> {
  const token = `sw${randomBytes(8).toString('hex')}`;
  const args = buildForwardSshArgs(remote, forwards, anyShellCommand(remoteScript(token, script.before ?? [], script.after ?? [])), {
    ...(context.sshConfigFile ? { configFile: context.sshConfigFile } : {}),
    ...(context.allowUnsafeOptions ? { allowUnsafeOptions: context.allowUnsafeOptions } : {}),
    sshPath: context.sshPath,
  });
  let child: ChildProcessLike;
  try {
    child = context.executor.spawn(context.sshPath, args, { cwd: process.cwd(), env: context.env });
  } catch (error) {
    return Promise.reject(spawnFailed(error));
  }
  let spawnError: unknown;
  let stderr = '';
  let stdoutBuffer = '';
  const lineWaiters = new Map<string, () => void>();
  const seen = new Set<string>();
  child.stderr?.setEncoding('utf8');
  child.stdout?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (stderr.length < MAX_STDERR) stderr += chunk;
  });
  child.stdout?.on('data', (chunk: string) => {
    stdoutBuffer += chunk;
    let newline: number;
    while ((newline = stdoutBuffer.indexOf('\n')) >= 0) {
      const line = stdoutBuffer.slice(0, newline).replace(/\r$/, '');
      stdoutBuffer = stdoutBuffer.slice(newline + 1);
      // Login noise (a chatty .bashrc) is ignored: only the token's lines count.
      if (!line.startsWith(`${token}:`)) continue;
      const word = line.slice(token.length + 1);
      seen.add(word);
      lineWaiters.get(word)?.();
    }
    if (stdoutBuffer.length > MAX_STDERR) stdoutBuffer = stdoutBuffer.slice(-1024);
  });
  // EPIPE on a dead ssh's stdin is expected; the exit is what reports it.
  child.stdin?.on('error', () => undefined);

  // Set synchronously on exit, before any waiter wakes: a waiter must see it.
  let hasExited = false;
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const finish = (code: number | null): void => {
      if (hasExited) return;
      hasExited = true;
      for (const wake of lineWaiters.values()) wake();
      resolve({ code, stderr });
    };
    child.once('error', (error) => {
      spawnError = error;
      finish(null);
    });
    child.once('close', (code) => finish(code));
  });

  const waitFor = (word: string, timeoutMs: number): Promise<boolean> =>
    new Promise((resolve) => {
      if (seen.has(word)) return resolve(true);
      if (hasExited) return resolve(false);
      const timer = setTimeout(() => settle(false), timeoutMs);
      const settle = (value: boolean): void => {
        clearTimeout(timer);
        lineWaiters.delete(word);
        resolve(value);
      };
      lineWaiters.set(word, () => settle(seen.has(word)));
    });

  const stop = async (graceMs = 2_000): Promise<void> => {
    if (hasExited) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(killer);
  };

  const connection: ForwardConnection = {
    child,
    exited,
    stderr: () => stderr,
    async roundTrip(text, timeoutMs) {
      if (hasExited) return false;
      child.stdin?.write(`${text}\n`);
      return waitFor(text, timeoutMs);
    },
    async finish(timeoutMs) {
      if (hasExited) return seen.has('done');
      child.stdin?.write('close\n');
      return waitFor('done', timeoutMs);
    },
    stop,
  };

  return (async () => {
    const ready = await waitFor('ready', script.timeoutMs);
    if (ready) return connection;
    const timedOut = !hasExited;
    await stop();
    const { code } = await exited;
    if (spawnError !== undefined) throw spawnFailed(spawnError);
    if (timedOut) throw new SshForwardError('timeout', `the forwarding connection was not ready within ${script.timeoutMs} ms`, { hint: SSH_FAILURE_HINTS.timeout, stderr });
    const failure = classifySshFailure({ exitCode: code, stderr });
    throw new SshForwardError(failure.kind, failure.message, { hint: failure.hint, stderr });
  })();
}

/**
 * Forwarding connections run a POSIX script on the remote (the readiness handshake).
 * @throws {SshWrapError} `INVALID_CONFIG` (`field: 'remotePlatform'`) for a Windows remote.
 * @internal
 */
export function assertPosixRemote(remote: SshRemoteConfig, subject: string): void {
  if (remote.remotePlatform !== 'windows') return;
  throw new SshWrapError('INVALID_CONFIG', `${subject} supports POSIX remotes only`, {
    field: 'remotePlatform',
    hint: 'Forward with your own `ssh -N -L …` for a Windows remote.',
  });
}

function spawnFailed(error: unknown): SshForwardError {
  return new SshForwardError('spawn-failed', `ssh could not be started: ${error instanceof Error ? error.message : String(error)}`, { hint: SSH_FAILURE_HINTS['spawn-failed'] });
}

/** The executor and ssh binary defaults of a forwarding call. @internal */
export function connectionContext(options: { executor?: SpawnExecutor | undefined; sshPath?: string | undefined; sshConfigFile?: string | undefined; allowUnsafeOptions?: readonly string[] | undefined; env?: NodeJS.ProcessEnv | undefined }): ForwardConnectionContext {
  return {
    executor: options.executor ?? nodeExecutor,
    sshPath: options.sshPath ?? 'ssh',
    sshConfigFile: options.sshConfigFile,
    allowUnsafeOptions: options.allowUnsafeOptions,
    env: options.env,
  };
}
