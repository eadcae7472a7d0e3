/**
 * What kind of file an entry is, from `st_mode` (entries are not followed: a symlink is
 * `'symlink'`, like `fs.lstat`).
 *
 * @example
 * ```ts
 * const folders = (await files.readDir('~/app')).filter((entry) => entry.type === 'directory');
 * ```
 */
export type RemoteFileType = 'file' | 'directory' | 'symlink' | 'other';

/**
 * Metadata of a remote file, as `remoteFs().stat()` returns it (not following a final symlink).
 *
 * @example
 * ```ts
 * const info: RemoteFileStat = { type: 'file', size: 1024, mtimeMs: 1_764_000_000_000, mode: 0o644 };
 * ```
 */
export interface RemoteFileStat {
  type: RemoteFileType;
  /** Bytes (for a symlink: the length of its target path). */
  size: number;
  /** Last modification, ms since the epoch (whole seconds: what both `stat` dialects print). */
  mtimeMs: number;
  /** Permission bits, `st_mode & 0o7777`. */
  mode: number;
}

/**
 * One entry of `remoteFs().readDir()`.
 *
 * @example
 * ```ts
 * const entry: RemoteDirEntry = { name: 'a b\nc.txt', type: 'file', size: 3, mtimeMs: 1_764_000_000_000, mode: 0o600 };
 * ```
 */
export interface RemoteDirEntry extends RemoteFileStat {
  /** The name as the remote has it, decoded as UTF-8 (like `fs.readdir` without `encoding: 'buffer'`). */
  name: string;
}

function typeOf(mode: number): RemoteFileType {
  switch (mode & 0o170000) {
    case 0o040000:
      return 'directory';
    case 0o100000:
      return 'file';
    case 0o120000:
      return 'symlink';
    default:
      return 'other';
  }
}

/**
 * Parses one `stat` line of the files script: `<size> <mtime seconds> <st_mode in hex>` (GNU
 * `stat -c '%s %Y %f'`, BSD `stat -f '%z %m %Xp'`).
 *
 * @throws {Error} on anything else (the script's output broke its format).
 * @example
 * ```ts
 * parseStatLine('5 1764000000 81a4'); // { type: 'file', size: 5, mtimeMs: 1764000000000, mode: 0o644 }
 * ```
 */
export function parseStatLine(line: string): RemoteFileStat {
  const match = /^(\d+) (-?\d+) ([0-9a-fA-F]+)$/.exec(line.trim());
  if (!match) throw new Error(`unexpected stat output ${JSON.stringify(line)}`);
  const mode = Number.parseInt(match[3]!, 16);
  return { type: typeOf(mode), size: Number(match[1]), mtimeMs: Number(match[2]) * 1000, mode: mode & 0o7777 };
}

/**
 * Parses the files script's listing: NUL-framed pairs `<stat line>\0<name>\0`. Names may hold any
 * byte but NUL (newlines, quotes, spaces, non-ASCII), which is why the frame is NUL, not lines.
 *
 * @throws {Error} when the output breaks the frame.
 * @example
 * ```ts
 * parseListing(Buffer.from('5 1764000000 81a4\0a b\nc\0')); // [{ name: 'a b\nc', type: 'file', … }]
 * ```
 */
export function parseListing(output: Uint8Array): RemoteDirEntry[] {
  const text = Buffer.from(output.buffer, output.byteOffset, output.byteLength);
  const entries: RemoteDirEntry[] = [];
  let at = 0;
  while (at < text.length) {
    const metaEnd = text.indexOf(0, at);
    const nameEnd = metaEnd < 0 ? -1 : text.indexOf(0, metaEnd + 1);
    if (nameEnd < 0) throw new Error('listing ends inside a record');
    const name = text.subarray(metaEnd + 1, nameEnd).toString('utf8');
    if (name === '' || name === '.' || name === '..' || name.includes('/')) throw new Error(`unexpected name ${JSON.stringify(name)} in listing`);
    entries.push({ name, ...parseStatLine(text.subarray(at, metaEnd).toString('latin1')) });
    at = nameEnd + 1;
  }
  return entries;
}
