import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { SshWrapError } from '../errors/index.js';
import { spawnWithSsh } from '../exec/index.js';
import type { SshRemoteStoreAdapter } from '../resolve/index.js';
import { assertKnownOptions, assertNonNegative, optionKeys } from '../schemas/index.js';
import { resolveTarget, type FleetTarget, type ResolvedTarget } from '../fleet/targets.js';
import { assertPosixRemote, assertRemotePath, runFileOperation, type FileOperation, type FileRunOptions } from './channel.js';
import { parseListing, parseStatLine, type RemoteDirEntry, type RemoteFileStat } from './listing.js';
import { assertMode } from './transfer.js';

/** Default bound of one `remoteFs` operation, connection included: ConnectTimeout (10 s) + 20 s. */
export const DEFAULT_REMOTE_FS_TIMEOUT_MS = 30_000;
/** Default `maxBytes` of `readFile`: 10 MiB, plenty for an editor tab. */
export const DEFAULT_READ_MAX_BYTES = 10 * 1024 * 1024;

/**
 * Options of {@link remoteFs}, applied to every operation of the returned object.
 *
 * @example
 * ```ts
 * const options: RemoteFsOptions = { timeoutMs: 15_000, multiplex: { persistSeconds: 300 } };
 * ```
 */
export interface RemoteFsOptions extends FileRunOptions {
  /** Bound of each operation, connection included (ms). @default 30_000 */
  timeoutMs?: number;
  /**
   * Pool the connection: an editor makes many small calls, and a pooled one costs a few ms instead
   * of a handshake. `false` gives each call a connection of its own. @default true
   */
  multiplex?: FileRunOptions['multiplex'];
}

/** Every key of {@link RemoteFsOptions}. */
export const REMOTE_FS_OPTION_KEYS = optionKeys<RemoteFsOptions>()({
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

/**
 * A remote file tree for an app's UI (file browser, editor tab), from {@link remoteFs}. Each
 * method is one ssh round trip (pooled by default); paths may start with `~`/`~/` (expanded on
 * the remote), other relative paths are relative to the remote home directory.
 *
 * @example
 * ```ts
 * const files = remoteFs('gpu-1', store);
 * for (const entry of await files.readDir('~/project')) console.log(entry.type, entry.name, entry.size);
 * ```
 */
export interface RemoteFs {
  /** The entries of a directory (`.` and `..` left out, hidden ones included), in the remote's C-locale glob order, symlinks not followed. */
  readDir(path: string): Promise<RemoteDirEntry[]>;
  /** Metadata of one path, not following a final symlink (like `fs.lstat`). */
  stat(path: string): Promise<RemoteFileStat>;
  /** The file's bytes; `EFBIG` when it is larger than `maxBytes` (default 10 MiB), checked before any byte is sent. */
  readFile(path: string, options?: { maxBytes?: number }): Promise<Uint8Array>;
  /** Replaces or creates the file atomically (temp file in the same directory, verified, renamed); a string is written as UTF-8. */
  writeFile(path: string, data: string | Uint8Array, options?: { mode?: number }): Promise<void>;
  /** Creates the directory and any missing parents; an existing directory is fine, an existing file is `EEXIST`. */
  mkdir(path: string): Promise<void>;
  /** Renames (or moves) `from` to `to`, replacing a file at `to`; a directory at `to` is `EISDIR`. */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file, a symlink (not its target) or, with `recursive`, a directory tree (an empty directory without). Refuses `/`, `~` and the home directory. */
  remove(path: string, options?: { recursive?: boolean }): Promise<void>;
}

// Spelled-out forms of the root and the home directory, refused before anything is spawned; the
// remote script refuses whatever else resolves to them (`~/..`, a path through a symlink, …).
function isRootOrHome(value: string): boolean {
  const collapsed = value.replace(/\/+/g, '/').replace(/(\/\.)+$/, '').replace(/\/$/, '');
  return collapsed === '' || collapsed === '~' || collapsed === '.' || collapsed === '/.' || value.replace(/\/+/g, '/') === '/';
}

/**
 * Remote files for app UIs: returns a {@link RemoteFs} bound to one target. Nothing is resolved
 * or spawned until the first call; the target is resolved once then (a remote id through `store`,
 * or a remote config) and pinned for the object's life.
 *
 * Names are byte-exact: listings are NUL-framed (`<size> <mtime> <mode>\0<name>\0`), so names with
 * spaces, newlines, quotes or non-ASCII come back as the remote has them (decoded as UTF-8). One
 * POSIX `/bin/sh` script does every operation, under any login shell; metadata comes from GNU or
 * busybox `stat -c` on Linux and BSD `stat -f` on macOS (docs/files.md lists what runs where).
 *
 * @param target A remote id (resolved through `store`) or a remote config.
 * @throws {SshWrapError} from each method for bad input (`INVALID_CONFIG`, `REMOTE_NOT_FOUND`,
 *   `UNSAFE_ARGUMENT`), before anything is spawned; from `remoteFs` itself for unknown option keys.
 * @throws {RemoteFileError} from each method: `ENOENT`, `EACCES`, `EPERM`, `ENOSPC`, `EISDIR`,
 *   `ENOTDIR`, `EEXIST`, `ENOTEMPTY`, `EFBIG`, `EVERIFY`, `ETIMEDOUT`, `ECANCELED`, `ESSH`.
 * @example
 * ```ts
 * const files = remoteFs('gpu-1', store, { timeoutMs: 15_000 });
 * const text = new TextDecoder().decode(await files.readFile('~/app/README.md', { maxBytes: 1_000_000 }));
 * await files.writeFile('~/app/README.md', text.replace('foo', 'bar'));
 * await files.rename('~/app/old name.txt', '~/app/new\nname.txt');
 * await files.remove('~/app/build', { recursive: true });
 * ```
 */
export function remoteFs(target: FleetTarget, store: SshRemoteStoreAdapter, options: RemoteFsOptions = {}): RemoteFs {
  assertKnownOptions(options, REMOTE_FS_OPTION_KEYS, 'remoteFs options');
  assertNonNegative(options.timeoutMs, 'timeoutMs');
  const { timeoutMs = DEFAULT_REMOTE_FS_TIMEOUT_MS, multiplex = true, ...run } = options;
  let resolved: Promise<ResolvedTarget> | undefined;
  const resolve = (): Promise<ResolvedTarget> => {
    resolved ??= resolveTarget(target, store).then((value) => (assertPosixRemote(value), value));
    // A failed resolution (unknown id) is not cached: the store may learn the remote later.
    resolved.catch(() => (resolved = undefined));
    return resolved;
  };
  const run1 = async (operation: FileOperation) => runFileOperation(spawnWithSsh, await resolve(), operation, { ...run, timeoutMs, multiplex });

  return {
    async readDir(path) {
      assertRemotePath(path, 'path');
      const { stdout } = await run1({ name: 'readDir', path, op: 'list', args: [path] });
      return parseListing(stdout);
    },
    async stat(path) {
      assertRemotePath(path, 'path');
      const { stdout } = await run1({ name: 'stat', path, op: 'stat', args: [path] });
      return parseStatLine(stdout.toString('latin1').replace(/\0$/, ''));
    },
    async readFile(path, readOptions = {}) {
      assertRemotePath(path, 'path');
      assertKnownOptions(readOptions, ['maxBytes'], 'readFile options');
      const { maxBytes = DEFAULT_READ_MAX_BYTES } = readOptions;
      assertNonNegative(maxBytes, 'maxBytes');
      const { stdout } = await run1({ name: 'readFile', path, op: 'read', args: [path, String(maxBytes)], maxOutput: maxBytes, overflowCode: 'EFBIG' });
      return new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.byteLength);
    },
    async writeFile(path, data, writeOptions = {}) {
      assertRemotePath(path, 'path');
      assertKnownOptions(writeOptions, ['mode'], 'writeFile options');
      const { mode } = writeOptions;
      assertMode(mode);
      if (typeof data !== 'string' && !(data instanceof Uint8Array)) throw new SshWrapError('INVALID_CONFIG', 'data must be a string or a Uint8Array', { field: 'data' });
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      await run1({ name: 'writeFile', path, op: 'write', args: [path, String(bytes.length), sha256, mode === undefined ? '-' : mode.toString(8)], input: Readable.from([bytes]) });
    },
    async mkdir(path) {
      assertRemotePath(path, 'path');
      await run1({ name: 'mkdir', path, op: 'mkdir', args: [path] });
    },
    async rename(from, to) {
      assertRemotePath(from, 'from');
      assertRemotePath(to, 'to');
      await run1({ name: 'rename', path: from, op: 'rename', args: [from, to] });
    },
    async remove(path, removeOptions = {}) {
      assertRemotePath(path, 'path');
      assertKnownOptions(removeOptions, ['recursive'], 'remove options');
      const { recursive = false } = removeOptions;
      if (isRootOrHome(path)) {
        throw new SshWrapError('INVALID_CONFIG', `remove refuses ${JSON.stringify(path)}: the root or the home directory`, { field: 'path', hint: 'Remove the entries inside it instead.' });
      }
      await run1({ name: 'remove', path, op: 'remove', args: [path, recursive ? 'recursive' : '-'] });
    },
  };
}
