import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SshWrapError } from '../errors/index.js';
import { spawnWithSsh } from '../exec/index.js';
import type { SshRemoteStoreAdapter } from '../resolve/index.js';
import { assertKnownOptions, assertNonNegative, optionKeys } from '../schemas/index.js';
import { resolveTarget, type FleetTarget } from '../fleet/targets.js';
import { assertPosixRemote, assertRemotePath, runFileOperation, type FileRunOptions } from './channel.js';
import { RemoteFileError } from './errors.js';

/**
 * Options of {@link uploadFile} and {@link downloadFile}.
 *
 * @example
 * ```ts
 * const options: TransferOptions = { mode: 0o600, timeoutMs: 300_000, signal: controller.signal };
 * ```
 */
export interface TransferOptions extends FileRunOptions {
  /**
   * Permission bits of the written file (0–0o7777). Upload: default keeps the mode of the file it
   * replaces, else `0o666 & ~umask` of the remote session. Download: passed to the local
   * `open` (then the local umask applies). @default see above
   */
  mode?: number;
  /** Bound of the whole transfer, connection included (ms). @default undefined (none) */
  timeoutMs?: number;
  /** Pool the connection (`true`, or see `MultiplexOption`); `false` for a connection of its own. @default true */
  multiplex?: FileRunOptions['multiplex'];
}

/**
 * What a finished transfer moved, and how it was verified.
 *
 * @example
 * ```ts
 * const { bytes, sha256, verified }: TransferResult = await uploadFile('gpu-1', store, './model.bin', '~/model.bin');
 * ```
 */
export interface TransferResult {
  /** Bytes written to the destination. */
  bytes: number;
  /** sha256 of those bytes, lowercase hex (computed locally). */
  sha256: string;
  /**
   * `'sha256'`: length and sha256 were compared on both ends; `'length'`: the remote has none of
   * `sha256sum`, `shasum`, `openssl`, so only the length was.
   */
  verified: 'sha256' | 'length';
}

/** Every key of {@link TransferOptions}. */
export const TRANSFER_OPTION_KEYS = optionKeys<TransferOptions>()({
  mode: true,
  timeoutMs: true,
  multiplex: true,
  signal: true,
  executor: true,
  env: true,
  sshPath: true,
  connectionPool: true,
  askpass: true,
  killGraceMs: true,
});

function checkOptions(options: TransferOptions, subject: string): void {
  assertKnownOptions(options, TRANSFER_OPTION_KEYS, subject);
  assertNonNegative(options.timeoutMs, 'timeoutMs');
  assertMode(options.mode);
}

/** Refuses a mode that is not whole permission bits. */
export function assertMode(mode: unknown): void {
  if (mode !== undefined && (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o7777)) {
    throw new SshWrapError('INVALID_CONFIG', 'mode must be an integer from 0 to 0o7777', { field: 'mode' });
  }
}

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

function verifiedBy(remoteSum: string): TransferResult['verified'] {
  return remoteSum === 'none' ? 'length' : 'sha256';
}

/**
 * Writes `source` (a local file path, or bytes) to `remotePath` on the target, atomically and
 * verified: the bytes stream over ssh's stdin (never held in memory for a path; 100 MB is fine)
 * into a private temp file in the destination's directory (`.<name>.sshwrap-<random>`, mode
 * 0600 while written), the remote compares length and sha256 with what was sent, and only then
 * renames it over `remotePath`. A transfer that fails, times out, is aborted, or whose owner dies
 * leaves no file under the final name and removes its temp file.
 *
 * Runs over the command channel (one `spawnWithSsh` of a POSIX script), so the remote's ssh
 * options, jump hosts, known_hosts, askpass and the pool apply unchanged, under any login shell.
 * `remotePath` may start with `~`/`~/` (expanded remotely); other relative paths are relative to
 * the remote home directory.
 *
 * @param target A remote id (resolved through `store`) or a remote config.
 * @throws {SshWrapError} bad input (`INVALID_CONFIG`, `REMOTE_NOT_FOUND`, `UNSAFE_ARGUMENT`),
 *   before anything is spawned; `SPAWN_FAILED`.
 * @throws {RemoteFileError} `ENOENT` (no such directory), `EACCES`, `ENOSPC`, `EDQUOT`, `EISDIR`
 *   (`remotePath` is a directory), `ENOTDIR`, `EVERIFY`, `ETIMEDOUT`, `ECANCELED`, `ESSH`.
 * @throws Node's own fs error (`ENOENT`, `EISDIR`, …) when the local source cannot be read.
 * @example
 * ```ts
 * const { bytes, sha256 } = await uploadFile('gpu-1', store, './weights.bin', '~/models/weights.bin', { mode: 0o600 });
 * await uploadFile(remoteConfig, store, new TextEncoder().encode('hello\n'), '/tmp/hello.txt');
 * ```
 */
export async function uploadFile(
  target: FleetTarget,
  store: SshRemoteStoreAdapter,
  source: string | Uint8Array,
  remotePath: string,
  options: TransferOptions = {},
): Promise<TransferResult> {
  checkOptions(options, 'uploadFile options');
  assertRemotePath(remotePath, 'remotePath');
  if (typeof source !== 'string' && !(source instanceof Uint8Array)) {
    throw new SshWrapError('INVALID_CONFIG', 'source must be a local path or a Uint8Array', { field: 'source' });
  }
  const resolved = await resolveTarget(target, store);
  assertPosixRemote(resolved);
  let size: number;
  let sha256: string;
  let input: Readable;
  if (typeof source === 'string') {
    const info = await stat(source);
    if (!info.isFile()) throw Object.assign(new Error(`EISDIR: not a regular file, ${source}`), { code: 'EISDIR', path: source });
    size = info.size;
    // Read twice (hash, then send) so memory stays flat; a file changed in between fails EVERIFY.
    sha256 = await sha256OfFile(source);
    input = createReadStream(source);
  } else {
    size = source.byteLength;
    sha256 = createHash('sha256').update(source).digest('hex');
    input = Readable.from([Buffer.from(source.buffer, source.byteOffset, source.byteLength)]);
  }
  const { mode, multiplex = true, ...run } = options;
  const { payload } = await runFileOperation(
    spawnWithSsh,
    resolved,
    { name: 'upload', path: remotePath, op: 'write', args: [remotePath, String(size), sha256, mode === undefined ? '-' : mode.toString(8)], input },
    { ...run, multiplex },
  );
  const [bytes, remoteSum = 'none'] = payload.split(':');
  return { bytes: Number(bytes), sha256, verified: verifiedBy(remoteSum) };
}

/**
 * Copies `remotePath` from the target to `localPath`, atomically and verified: the bytes stream
 * from the remote's stdout into a temp file next to `localPath` (`.<name>.sshwrap-<random>`) while
 * they are hashed (never held in memory), the remote then reports the file's length and sha256,
 * and only a match is renamed over `localPath`. On any failure the temp file is removed and
 * `localPath` is untouched. Same channel, `~` handling and errors as {@link uploadFile}.
 *
 * @throws {SshWrapError} bad input, before anything is spawned; `SPAWN_FAILED`.
 * @throws {RemoteFileError} `ENOENT`, `EACCES`, `EISDIR` (`remotePath` is a directory), `EVERIFY`
 *   (length or sha256 differ, e.g. the file changed while it was read), `ETIMEDOUT`, `ECANCELED`, `ESSH`.
 * @throws Node's own fs error when the local side cannot be written (`ENOENT` for a missing local
 *   directory, `ENOSPC`, …).
 * @example
 * ```ts
 * const { bytes, sha256, verified } = await downloadFile('gpu-1', store, '~/results/run-42.tar', './run-42.tar');
 * ```
 */
export async function downloadFile(
  target: FleetTarget,
  store: SshRemoteStoreAdapter,
  remotePath: string,
  localPath: string,
  options: TransferOptions = {},
): Promise<TransferResult> {
  checkOptions(options, 'downloadFile options');
  assertRemotePath(remotePath, 'remotePath');
  if (typeof localPath !== 'string' || localPath === '' || localPath.includes('\0')) {
    throw new SshWrapError('INVALID_CONFIG', 'localPath must be a non-empty path', { field: 'localPath' });
  }
  const resolved = await resolveTarget(target, store);
  assertPosixRemote(resolved);
  const { mode, multiplex = true, ...run } = options;
  const temp = path.join(path.dirname(localPath), `.${path.basename(localPath)}.sshwrap-${randomBytes(6).toString('hex')}`);
  const hash = createHash('sha256');
  let bytes = 0;
  const counting = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  const sink = createWriteStream(temp, { flags: 'wx', mode: mode ?? 0o666 });
  // Opening fails for a missing local directory before the remote is asked anything.
  await new Promise<void>((resolve, reject) => {
    sink.once('open', () => resolve());
    sink.once('error', reject);
  });
  try {
    counting.pipe(sink);
    const finished = new Promise<void>((resolve, reject) => {
      sink.once('finish', resolve);
      sink.once('error', reject);
    });
    // Awaited only on success; a failed transfer reports its own error, not the sink's.
    finished.catch(() => {});
    const { payload } = await runFileOperation(spawnWithSsh, resolved, { name: 'download', path: remotePath, op: 'read', args: [remotePath, '-', 'sum'], output: counting }, { ...run, multiplex });
    await finished;
    const [remoteBytes, remoteSum = 'none'] = payload.split(':');
    const sha256 = hash.digest('hex');
    if (Number(remoteBytes) !== bytes || (remoteSum !== 'none' && remoteSum !== sha256)) {
      throw new RemoteFileError('EVERIFY', `download ${remotePath}: received ${bytes} bytes (sha256 ${sha256}), the remote file has ${remoteBytes} (sha256 ${remoteSum}); did it change while it was read?`, {
        operation: 'download',
        path: remotePath,
      });
    }
    await rename(temp, localPath);
    return { bytes, sha256, verified: verifiedBy(remoteSum) };
  } catch (error) {
    counting.unpipe(sink);
    // Closed before the unlink, so no late write can touch the file again.
    if (!sink.closed) await new Promise<void>((resolve) => sink.destroy().once('close', () => resolve()));
    await unlink(temp).catch(() => {});
    throw error;
  }
}
