import fs from 'node:fs';
import path from 'node:path';

/**
 * Characters allowed in a control directory. ssh expands `%` and `~` in ControlPath and splits
 * `-o` values on whitespace and quotes, so anything else could change which socket is used.
 */
const SAFE_DIR = /^\/[A-Za-z0-9._/-]*$/;

/** Where the control sockets may live, best first. */
export interface ControlDirSources {
  /** Environment to read `XDG_RUNTIME_DIR` from. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Our uid. @default process.getuid() */
  uid?: number;
}

/**
 * Candidate directories for control sockets: `$XDG_RUNTIME_DIR/sshwrap` (per-user, tmpfs, wiped
 * at logout) when set, then `/tmp/sshwrap-<uid>`. Both are short on purpose: a socket path must
 * fit `sun_path` (104 bytes on macOS, whose `os.tmpdir()` alone is ~50), so `os.tmpdir()` is not used.
 *
 * @example
 * ```ts
 * controlDirCandidates({ env: { XDG_RUNTIME_DIR: '/run/user/1000' }, uid: 1000 });
 * // ['/run/user/1000/sshwrap', '/tmp/sshwrap-1000']
 * ```
 */
export function controlDirCandidates(sources: ControlDirSources = {}): string[] {
  const env = sources.env ?? process.env;
  const uid = sources.uid ?? process.getuid?.() ?? 0;
  const candidates: string[] = [];
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime && path.isAbsolute(runtime)) candidates.push(path.join(runtime, 'sshwrap'));
  candidates.push(`/tmp/sshwrap-${uid}`);
  return candidates;
}

/** Why a directory cannot hold control sockets, or `null` when it can. */
export type ControlDirProblem = 'unsafe-characters' | 'not-a-directory' | 'symlink' | 'foreign-owner' | 'unusable';

/**
 * Creates `dir` (mode 0700) if needed and checks that only we can use it: a real directory, not a
 * symlink, owned by our uid, no group/other permissions (tightened to 0700 when we own it).
 * Another local user who could create or replace our sockets could read every pooled session.
 *
 * @returns `null` when the directory is ready, else the problem found.
 * @example
 * ```ts
 * prepareControlDir('/tmp/sshwrap-1000'); // null, and the directory exists with mode 0700
 * ```
 */
export function prepareControlDir(dir: string, uid: number | undefined = process.getuid?.()): ControlDirProblem | null {
  if (!SAFE_DIR.test(dir)) return 'unsafe-characters';
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return 'unusable';
  }
  try {
    const stat = fs.lstatSync(dir);
    if (stat.isSymbolicLink()) return 'symlink';
    if (!stat.isDirectory()) return 'not-a-directory';
    if (uid !== undefined && stat.uid !== uid) return 'foreign-owner';
    if ((stat.mode & 0o077) !== 0) {
      fs.chmodSync(dir, 0o700);
      if ((fs.lstatSync(dir).mode & 0o077) !== 0) return 'unusable';
    }
    return null;
  } catch {
    return 'unusable';
  }
}

/**
 * The first candidate that {@link prepareControlDir} accepts and whose socket paths fit
 * (`fits(dir)`), or `null` when none does (pooling is then turned off, not failed).
 */
export function findControlDir(candidates: readonly string[], fits: (dir: string) => boolean, uid?: number): string | null {
  for (const dir of candidates) {
    if (fits(dir) && prepareControlDir(dir, uid) === null) return dir;
  }
  return null;
}
