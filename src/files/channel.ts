import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { classifySshFailure } from '../classify/index.js';
// Not exec/index: the runners import files/attachments, so the runner arrives as a parameter.
import { randomMarkerToken } from '../exec/markers.js';
import type { SpawnWithSshOptions, SpawnWithSshResult } from '../exec/options.js';
import type { AgentSshRemoteConfig, SshSpawnWrapConfig } from '../schemas/index.js';
import type { SshRemoteStoreAdapter } from '../resolve/index.js';
import { SshWrapError } from '../errors/index.js';
import { codeFromMessage, RemoteFileError, type RemoteFileErrorCode } from './errors.js';
import { FILES_SCRIPT } from './script.js';
import type { ResolvedTarget } from '../fleet/targets.js';

/** Runner options every file operation passes on to its one `spawnWithSsh`. */
export type FileRunOptions = Pick<SpawnWithSshOptions, 'signal' | 'executor' | 'env' | 'sshPath' | 'connectionPool' | 'askpass' | 'multiplex' | 'killGraceMs'> & {
  /** Bound of the operation, connection included (ms). */
  timeoutMs?: number;
};

/** `spawnWithSsh`'s signature: the one runner every file operation goes through. */
export type FileSpawner = (
  config: SshSpawnWrapConfig,
  agentSsh: AgentSshRemoteConfig | null | undefined,
  store: SshRemoteStoreAdapter,
  options: SpawnWithSshOptions,
) => Promise<SpawnWithSshResult>;

/** One operation of the files script. */
export interface FileOperation {
  /** Name for errors: `upload`, `readDir`, … */
  name: string;
  /** The remote path errors are about. */
  path: string;
  /** The script's operation and its arguments. */
  op: string;
  args: string[];
  /** Bytes for the script's stdin (then EOF); without it stdin stays the lifeline. */
  input?: Readable;
  /** Where stdout goes; without it stdout is collected, up to `maxOutput` bytes. */
  output?: Writable;
  /** Bytes of collected stdout beyond which the operation fails with `overflowCode`. @default 64 MiB */
  maxOutput?: number;
  overflowCode?: RemoteFileErrorCode;
}

/** What an operation that succeeded returns: the script's `ok` payload and the collected stdout. */
export interface FileOperationResult {
  payload: string;
  stdout: Buffer;
}

// Tools' messages are short; more is noise and is not kept.
const STDERR_LIMIT = 256 * 1024;

/**
 * Runs one operation of `FILES_SCRIPT` on the target over `spawnWithSsh` (the remote's ssh
 * options, ControlPath when pooled, any login shell) and turns its one status line into a value
 * or a {@link RemoteFileError}. An upload's bytes are the script's stdin (`keepStdin`: no
 * lifeline watcher, the end of the data is EOF; if this process dies, ssh's stdin ends early and
 * the script finds the length short and removes its temp file). Every other operation keeps the
 * lifeline. `timeoutMs` and `signal` stop the local ssh and the remote process group.
 *
 * @throws {RemoteFileError} the remote's answer, `ESSH`, `ETIMEDOUT`, `ECANCELED`.
 * @throws {SshWrapError} `SPAWN_FAILED` when ssh cannot be started.
 */
export async function runFileOperation(spawn: FileSpawner, target: ResolvedTarget, operation: FileOperation, options: FileRunOptions): Promise<FileOperationResult> {
  const { timeoutMs, ...run } = options;
  const fail = (code: RemoteFileErrorCode, message: string, extra: { errorKind?: RemoteFileError['errorKind']; hint?: string; cause?: unknown } = {}): RemoteFileError =>
    new RemoteFileError(code, message, { operation: operation.name, path: operation.path, ...extra });
  if (run.signal?.aborted) throw fail('ECANCELED', `${operation.name} ${operation.path}: aborted before it started`);
  const tag = `sshwrap-files-${randomMarkerToken()}`;
  let started = false;
  let stopped: 'timeout' | undefined;
  const { child, stdinWritten, loginOutput } = await spawn(
    { command: '/bin/sh', args: ['-c', FILES_SCRIPT, 'sshwrap-files', tag, operation.op, ...operation.args], cwd: '' },
    target.agentSsh,
    target.store,
    {
      ...run,
      // System tools only: the augmented PATH would only make the command longer.
      remotePath: 'inherit',
      keepStdin: operation.input !== undefined,
      onEvent: (event) => {
        if (event.type === 'started') started = true;
      },
    },
  );
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => ((stopped = 'timeout'), child.kill()), timeoutMs);
  const closed = new Promise<number | null>((resolve) => child.once('close', (code: number | null) => resolve(code)));
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    if (stderr.length < STDERR_LIMIT) stderr += text;
  });
  const chunks: Buffer[] = [];
  let collected = 0;
  let overflow = false;
  const maxOutput = operation.maxOutput ?? 64 * 1024 * 1024;
  let localError: unknown;
  const stopWith = (error: unknown): void => {
    localError ??= error;
    child.kill();
  };
  const stdoutDone = operation.output
    ? pipeline(child.stdout!, operation.output).catch((error: NodeJS.ErrnoException) => {
        // A stopped run cuts stdout short: the stop is the error to report, not the short stream.
        if (error.code !== 'ERR_STREAM_PREMATURE_CLOSE') stopWith(error);
      })
    : new Promise<void>((resolve) => {
        child.stdout!.on('data', (chunk: Buffer) => {
          collected += chunk.length;
          if (collected > maxOutput) {
            if (!overflow) ((overflow = true), child.kill());
            return;
          }
          chunks.push(chunk);
        });
        child.stdout!.once('end', resolve);
        child.stdout!.once('error', () => resolve());
      });
  const stdinDone = operation.input
    ? stdinWritten.then(async (error) => {
        if (error) return;
        // A broken pipe means the remote ended early: its status line says why.
        await pipeline(operation.input!, child.stdin!).catch((failure: NodeJS.ErrnoException) => {
          if (failure.code !== 'EPIPE' && failure.code !== 'ERR_STREAM_PREMATURE_CLOSE' && failure.code !== 'ERR_STREAM_DESTROYED') stopWith(failure);
        });
      })
    : Promise.resolve();
  const exitCode = await closed;
  clearTimeout(timer);
  await Promise.all([stdoutDone, stdinDone]);
  if (localError !== undefined) throw localError;

  // No trailing newline required: the exit marker that follows starts with the one `say` wrote.
  const status = new RegExp(`(?:^|\\n)${tag}:(ok|err)(?::([^\\n]*))?(?:\\n|$)`).exec(stderr);
  if (status?.[1] === 'ok') {
    if (overflow) throw fail(operation.overflowCode ?? 'EFBIG', `${operation.name} ${operation.path}: more than ${maxOutput} bytes`);
    return { payload: status[2] ?? '', stdout: Buffer.concat(chunks) };
  }
  if (status) {
    const [, code = 'EIO', message = ''] = /^([A-Z]+):(.*)$/.exec(status[2] ?? '') ?? [];
    const final = code === 'EIO' ? codeFromMessage(message) : (code as RemoteFileErrorCode);
    throw fail(final, `${operation.name} ${operation.path}: ${message || final}`);
  }
  if (overflow) throw fail(operation.overflowCode ?? 'EFBIG', `${operation.name} ${operation.path}: more than ${maxOutput} bytes`);
  // A write stopped without its status line: the script's TERM trap removes its temp file, but a
  // script that was SIGKILLed (its group outlived the grace) cannot. Remove it from here too,
  // over a fresh session, so a stopped upload never leaves a partial file behind.
  if (operation.op === 'write' && started) await removeWriteTemp(spawn, target, operation.args[0]!, tag, run);
  if (stopped === 'timeout') throw fail('ETIMEDOUT', `${operation.name} ${operation.path}: timed out after ${timeoutMs} ms`);
  if (run.signal?.aborted) throw fail('ECANCELED', `${operation.name} ${operation.path}: aborted`);
  if (started) throw fail('ESSH', `${operation.name} ${operation.path}: the connection was lost (${stderr.trim() || `exit ${exitCode}`})`, { hint: 'Retry; if it persists, check the remote host.' });
  // The script never reported: what stderr holds is ssh's own (the deframer passes it on when
  // no status marker ever came), or what came before the session's first marker.
  const failure = classifySshFailure({ exitCode, stderr: `${loginOutput().stderr}${stderr}` });
  throw fail('ESSH', `${operation.name} ${operation.path}: ${failure.message}`, { errorKind: failure.kind, hint: failure.hint });
}

/** The temp name the script's `write` uses for `path` (the same split as its `parent`), removed best-effort. */
async function removeWriteTemp(spawn: FileSpawner, target: ResolvedTarget, path: string, tag: string, run: Omit<FileRunOptions, 'timeoutMs'>): Promise<void> {
  const slash = path.lastIndexOf('/');
  const dir = slash < 0 ? '.' : path.slice(0, slash) || '/';
  const temp = `${dir === '/' ? '' : dir}/.${path.slice(slash + 1)}.sshwrap-${tag}`;
  await runFileOperation(spawn, target, { name: 'cleanup', path: temp, op: 'remove', args: [temp, '-'] }, { ...run, signal: undefined, timeoutMs: 10_000 }).catch(() => {});
}

/** Refuses what is not a usable remote path, before anything is spawned. */
export function assertRemotePath(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || value === '' || value.includes('\0')) {
    throw new SshWrapError('INVALID_CONFIG', `${field} must be a non-empty path without NUL bytes`, { field });
  }
}

/** Refuses a remote that the POSIX files script cannot serve. */
export function assertPosixRemote(target: ResolvedTarget): void {
  if (target.remote.remotePlatform === 'windows') {
    throw new SshWrapError('INVALID_CONFIG', `remote files need a POSIX host; ${target.remote.id} is a Windows remote`, { field: 'remotePlatform' });
  }
}
