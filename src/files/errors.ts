import type { SshFailureKind } from '../classify/index.js';

/**
 * Why a remote file operation failed. The fs codes mean what they mean in Node's `fs` (and were
 * decided on the remote: by the script's own checks, or from the failing tool's C-locale message);
 * the last four are sshwrap's own:
 *
 * - `ENOENT` no such file or directory, `EACCES` permission denied, `EPERM` not permitted (also:
 *   `remove` refusing `/`, `~` or the home directory), `ENOSPC` no space left, `EDQUOT` quota,
 *   `EROFS` read-only filesystem, `EISDIR` is a directory, `ENOTDIR` not a directory, `EEXIST`
 *   exists, `ENOTEMPTY` directory not empty, `EFBIG` larger than `maxBytes`, `EIO` anything else
 *   (the message quotes the remote tool);
 * - `EVERIFY`: the bytes that arrived differ in length or sha256 from what was sent (nothing was
 *   renamed into place);
 * - `ETIMEDOUT` (`timeoutMs`), `ECANCELED` (the `signal` aborted): the operation was stopped, the
 *   remote side too; an upload leaves nothing under the final name;
 * - `ESSH`: ssh failed (auth, host key, refused, …) or the connection was lost; `errorKind` and
 *   `hint` say which, as for a run.
 *
 * @example
 * ```ts
 * if (error instanceof RemoteFileError && error.code === 'ENOENT') showEmptyFolder();
 * ```
 */
export type RemoteFileErrorCode =
  | 'ENOENT'
  | 'EACCES'
  | 'EPERM'
  | 'ENOSPC'
  | 'EDQUOT'
  | 'EROFS'
  | 'EISDIR'
  | 'ENOTDIR'
  | 'EEXIST'
  | 'ENOTEMPTY'
  | 'EFBIG'
  | 'EIO'
  | 'EVERIFY'
  | 'ETIMEDOUT'
  | 'ECANCELED'
  | 'ESSH';

const BRAND = Symbol.for('sshwrap.RemoteFileError');

// strerror texts (glibc, musl, macOS: the same words) → code, for tools that failed on their own.
const MESSAGES: Array<[RegExp, RemoteFileErrorCode]> = [
  [/No space left on device/i, 'ENOSPC'],
  [/quota exceeded/i, 'EDQUOT'],
  [/Read-only file system/i, 'EROFS'],
  [/Permission denied/i, 'EACCES'],
  [/Operation not permitted/i, 'EPERM'],
  [/Is a directory/i, 'EISDIR'],
  [/Not a directory/i, 'ENOTDIR'],
  [/Directory not empty/i, 'ENOTEMPTY'],
  [/File exists/i, 'EEXIST'],
  [/No such file or directory/i, 'ENOENT'],
  [/File too large/i, 'EFBIG'],
];

/**
 * The code a remote tool's error message names (`cat: x: No space left on device` → `ENOSPC`),
 * `EIO` when it names none.
 *
 * @example
 * ```ts
 * codeFromMessage("sh: 1: cannot create /srv/x: Permission denied"); // 'EACCES'
 * ```
 */
export function codeFromMessage(message: string): RemoteFileErrorCode {
  // The LAST match wins: a tool's message ends with strerror, a path before it may contain anything.
  let best: { code: RemoteFileErrorCode; at: number } | undefined;
  for (const [pattern, code] of MESSAGES) {
    const global = new RegExp(pattern.source, 'gi');
    for (const match of message.matchAll(global)) if (!best || match.index > best.at) best = { code, at: match.index };
  }
  return best?.code ?? 'EIO';
}

/**
 * A remote file operation failed (`uploadFile`, `downloadFile`, `remoteFs`). Bad input is an
 * `SshWrapError` thrown before anything is spawned; this is what the remote (or the connection)
 * said. `code` mirrors Node's `fs` codes, so `error.code === 'ENOENT'` reads the same for local
 * and remote files. `instanceof` works across builds (a global symbol brand).
 *
 * @example
 * ```ts
 * try { await fs.readFile('~/notes.md', { maxBytes: 1_000_000 }); }
 * catch (error) {
 *   if (error instanceof RemoteFileError && error.code === 'ENOENT') showEmptyEditor();
 *   else throw error;
 * }
 * ```
 */
export class RemoteFileError extends Error {
  /** What went wrong, see {@link RemoteFileErrorCode}. */
  readonly code: RemoteFileErrorCode;
  /** The remote path the operation was about (as given, before `~` expansion). */
  readonly path: string | undefined;
  /** The operation: `upload`, `download`, `readDir`, `stat`, `readFile`, `writeFile`, `mkdir`, `rename`, `remove`. */
  readonly operation: string;
  /** For `ESSH`: ssh's failure kind, as in a run result. */
  readonly errorKind: SshFailureKind | undefined;
  /** What to do about it, for a human (for `ESSH`, the run's hint). */
  readonly hint: string | undefined;

  constructor(
    code: RemoteFileErrorCode,
    message: string,
    details: { operation: string; path?: string; errorKind?: SshFailureKind; hint?: string; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'RemoteFileError';
    this.code = code;
    this.operation = details.operation;
    this.path = details.path;
    this.errorKind = details.errorKind;
    this.hint = details.hint;
    Object.defineProperty(this, BRAND, { value: true });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
