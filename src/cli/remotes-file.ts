import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SshWrapError } from '../errors/index.js';
import { parseSshRemoteConfig, type SshRemoteConfig } from '../schemas/index.js';

/**
 * An entry of the remotes file that does not validate; it only fails the command that picks it.
 *
 * @example
 * ```ts
 * for (const bad of (await loadRemotesFile(file)).invalid) console.warn(`[${bad.index}] ${bad.message}`);
 * ```
 */
export interface InvalidRemoteEntry {
  /** Position in the array. */
  index: number;
  /** Its `id`, when it has a string one. */
  id: string | undefined;
  /** Why it is invalid. */
  message: string;
}

/**
 * A loaded remotes file.
 *
 * @example
 * ```ts
 * const { file, exists, remotes }: RemotesFile = await loadRemotesFile(undefined);
 * ```
 */
export interface RemotesFile {
  /** The path read (or that would have been read). */
  file: string;
  /** `false` when the default file does not exist (an empty list, not an error). */
  exists: boolean;
  /** Every entry that validates, first one first for a duplicated id. */
  remotes: SshRemoteConfig[];
  /** Entries that do not validate, or repeat an earlier id. */
  invalid: InvalidRemoteEntry[];
  /** The raw entries, so picking a broken one reports its own error. */
  entries: unknown[];
}

/**
 * Where remotes live when `--remotes` is not given: `$XDG_CONFIG_HOME/sshwrap/remotes.json`,
 * else `~/.config/sshwrap/remotes.json`.
 *
 * @example
 * ```ts
 * defaultRemotesFile({ XDG_CONFIG_HOME: '/cfg' }); // '/cfg/sshwrap/remotes.json'
 * ```
 */
export function defaultRemotesFile(env: NodeJS.ProcessEnv = process.env): string {
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'sshwrap', 'remotes.json');
}

function idOf(entry: unknown): string | undefined {
  const id = typeof entry === 'object' && entry !== null ? (entry as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}

const FORMAT_HINT = 'Expected a JSON array of SSH remotes or { "sshRemotes": [...] }; see https://github.com/sshwrap/sshwrap/blob/main/docs/cli.md.';

function fileError(file: string, message: string, options: { hint?: string; cause?: unknown }): SshWrapError {
  return new SshWrapError('INVALID_CONFIG', `remotes file ${file}: ${message}`, { field: 'remotes', ...options });
}

/**
 * Reads a remotes file: a JSON array of SshRemoteConfig, or `{ "sshRemotes": [...] }` (the shape
 * of a Maestro settings file). A broken entry does not hide the others: it is listed in
 * `invalid` and only fails a command that picks it.
 *
 * @param file The `--remotes` value; `undefined` reads {@link defaultRemotesFile}, which may be absent.
 * @throws {SshWrapError} `INVALID_CONFIG` when a given file is missing, or any file is not JSON of either shape.
 * @example
 * ```ts
 * const { remotes, invalid } = await loadRemotesFile('./remotes.json', process.env);
 * ```
 */
export async function loadRemotesFile(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<RemotesFile> {
  const target = file ?? defaultRemotesFile(env);
  let text: string;
  try {
    text = await readFile(target, 'utf8');
  } catch (error) {
    if (file === undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { file: target, exists: false, remotes: [], invalid: [], entries: [] };
    }
    throw fileError(target, `cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, {
      hint: 'Check the --remotes path; without --remotes the default file may be absent.',
      cause: error,
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw fileError(target, `not valid JSON (${(error as Error).message})`, { hint: FORMAT_HINT, cause: error });
  }
  const entries = Array.isArray(data)
    ? data
    : typeof data === 'object' && data !== null && Array.isArray((data as { sshRemotes?: unknown }).sshRemotes)
      ? ((data as { sshRemotes: unknown[] }).sshRemotes)
      : undefined;
  if (!entries) throw fileError(target, 'expected an array of remotes or an object with an "sshRemotes" array', { hint: FORMAT_HINT });

  const remotes: SshRemoteConfig[] = [];
  const invalid: InvalidRemoteEntry[] = [];
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    const id = idOf(entry);
    if (id !== undefined && seen.has(id)) {
      invalid.push({ index, id, message: `duplicate id "${id}"; the first entry with it is used` });
      return;
    }
    if (id !== undefined) seen.add(id);
    try {
      remotes.push(parseSshRemoteConfig(entry));
    } catch (error) {
      invalid.push({ index, id, message: (error as Error).message });
    }
  });
  return { file: target, exists: true, remotes, invalid, entries };
}

/**
 * The remote with this id, validated, or `undefined` when the file has none. A broken entry
 * throws its own validation error, prefixed with the file and position.
 *
 * @throws {SshWrapError} `INVALID_CONFIG`/`UNSAFE_ARGUMENT` when the entry with this id is invalid.
 * @example
 * ```ts
 * const remote = findRemoteInFile(await loadRemotesFile(undefined), 'gpu-1');
 * ```
 */
export function findRemoteInFile(remotesFile: RemotesFile, id: string): SshRemoteConfig | undefined {
  const index = remotesFile.entries.findIndex((entry) => idOf(entry) === id);
  if (index === -1) return undefined;
  try {
    return parseSshRemoteConfig(remotesFile.entries[index]);
  } catch (error) {
    if (!(error instanceof SshWrapError)) throw error;
    throw new SshWrapError(error.code, `remotes file ${remotesFile.file}, entry [${index}] "${id}": ${error.message}`, {
      ...(error.field ? { field: error.field } : {}),
      ...(error.hint ? { hint: error.hint } : {}),
      cause: error,
    });
  }
}
