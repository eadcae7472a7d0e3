import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SshWrapError } from '../errors/index.js';
import { resolveSshRemote, type SshRemoteStoreAdapter } from '../resolve/index.js';
import { parseAgentSshRemoteConfig, parseSshSpawnWrapConfig, type AgentSshRemoteConfig, type SshSpawnWrapConfig } from '../schemas/index.js';
import type { SpawnWithSshOptions } from '../exec/options.js';
import { resolveTarget, type ResolvedTarget } from '../fleet/targets.js';
import { runFileOperation, type FileSpawner } from './channel.js';
import { DEFAULT_MAX_ATTACHMENT_BYTES, type AttachmentOptions } from './attachment-types.js';

/** Bound of removing the attachment directory after the run (ms): a stuck remote must not hold the caller. */
const CLEANUP_TIMEOUT_MS = 15_000;

/** An attachment checked and measured, ready to send. */
interface CheckedAttachment {
  name: string;
  size: number;
  source: { path: string } | { data: Uint8Array };
}

function checkName(name: unknown, field: string): string {
  if (typeof name !== 'string' || name === '' || name === '.' || name === '..' || /[/\0\n]/.test(name) || Buffer.byteLength(name) > 255) {
    throw new SshWrapError('INVALID_CONFIG', `Invalid attachment name ${JSON.stringify(name)}`, {
      field,
      hint: 'A name of 1–255 UTF-8 bytes without "/", NUL or newline, not "." or "..".',
    });
  }
  return name;
}

/**
 * Validates and measures a run's attachments; nothing is sent.
 *
 * @throws {SshWrapError} `INVALID_CONFIG` (a bad or duplicate name, a local path that is not a
 *   readable regular file, a bad option), `ATTACHMENT_TOO_LARGE`.
 * @example
 * ```ts
 * await checkAttachments({ attachments: [{ name: 'a.txt', data: new Uint8Array(3) }] }); // [{ name: 'a.txt', size: 3, … }]
 * ```
 */
export async function checkAttachments(options: AttachmentOptions): Promise<CheckedAttachment[]> {
  const { attachments = [], attachmentArgs, maxAttachmentBytes = DEFAULT_MAX_ATTACHMENT_BYTES } = options;
  if (!Array.isArray(attachments)) throw new SshWrapError('INVALID_CONFIG', 'attachments must be an array', { field: 'attachments' });
  if (attachmentArgs !== undefined && typeof attachmentArgs !== 'function') throw new SshWrapError('INVALID_CONFIG', 'attachmentArgs must be a function', { field: 'attachmentArgs' });
  if (typeof maxAttachmentBytes !== 'number' || !Number.isFinite(maxAttachmentBytes) || maxAttachmentBytes < 0) {
    throw new SshWrapError('INVALID_CONFIG', 'maxAttachmentBytes must be a non-negative number of bytes', { field: 'maxAttachmentBytes' });
  }
  const checked: CheckedAttachment[] = [];
  const seen = new Set<string>();
  let total = 0;
  for (const [index, attachment] of (attachments as readonly unknown[]).entries()) {
    const field = `attachments[${index}]`;
    const item = attachment as Record<string, unknown> | null;
    let entry: CheckedAttachment;
    if (item && typeof item === 'object' && typeof item.path === 'string' && Object.keys(item).length === 1) {
      const local = item.path;
      const info = await stat(local).catch((error: unknown) => {
        throw new SshWrapError('INVALID_CONFIG', `Attachment ${JSON.stringify(local)} cannot be read: ${(error as Error).message}`, { field: `${field}.path`, cause: error });
      });
      if (!info.isFile()) throw new SshWrapError('INVALID_CONFIG', `Attachment ${JSON.stringify(local)} is not a regular file`, { field: `${field}.path` });
      entry = { name: checkName(path.basename(local), `${field}.path`), size: info.size, source: { path: path.resolve(local) } };
    } else if (item && typeof item === 'object' && item.data instanceof Uint8Array && Object.keys(item).length === 2 && 'name' in item) {
      entry = { name: checkName(item.name, `${field}.name`), size: item.data.byteLength, source: { data: item.data } };
    } else {
      throw new SshWrapError('INVALID_CONFIG', 'An attachment is { path } or { name, data: Uint8Array }', { field });
    }
    if (seen.has(entry.name)) throw new SshWrapError('INVALID_CONFIG', `Two attachments are named ${JSON.stringify(entry.name)}`, { field, hint: 'Attachment names must be unique within a run.' });
    seen.add(entry.name);
    total += entry.size;
    checked.push(entry);
  }
  if (total > maxAttachmentBytes) {
    throw new SshWrapError('ATTACHMENT_TOO_LARGE', `The attachments add up to ${total} bytes, more than maxAttachmentBytes (${maxAttachmentBytes})`, {
      field: 'maxAttachmentBytes',
      hint: 'Send fewer or smaller files, or raise maxAttachmentBytes.',
    });
  }
  return checked;
}

/** Attachments in place for one run: where they are, and how to remove them (idempotent, never throws). */
export interface StagedAttachments {
  paths: string[];
  cleanup(): Promise<void>;
}

async function stageLocal(list: CheckedAttachment[]): Promise<StagedAttachments> {
  // Local files are used where they are; only bytes need a home: a private temp dir (0700).
  const needsDir = list.some((item) => 'data' in item.source);
  const dir = needsDir ? await mkdtemp(path.join(os.tmpdir(), 'sshwrap-att-')) : undefined;
  const cleanup = async (): Promise<void> => {
    if (dir) await rm(dir, { recursive: true, force: true }).catch(() => {});
  };
  try {
    const paths: string[] = [];
    for (const item of list) {
      if ('path' in item.source) paths.push(item.source.path);
      else {
        const file = path.join(dir!, item.name);
        await writeFile(file, item.source.data, { mode: 0o600, flag: 'wx' });
        paths.push(file);
      }
    }
    return { paths, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Where a remote run's attachments go: a fresh `mktemp -d` (attached runs) or `<base>/<name>` (detached runs). */
export type AttachmentDir = { base: string; name: string } | undefined;

async function stageRemote(spawn: FileSpawner, target: ResolvedTarget, list: CheckedAttachment[], options: SpawnWithSshOptions, where: AttachmentDir): Promise<StagedAttachments> {
  const run = {
    signal: options.signal,
    executor: options.executor,
    env: options.env,
    sshPath: options.sshPath,
    connectionPool: options.connectionPool,
    askpass: options.askpass,
    multiplex: options.multiplex,
    killGraceMs: options.killGraceMs,
  };
  const made = where ? { op: 'attdir', args: [where.base, where.name] } : { op: 'tmpdir', args: [] };
  const { payload: dir } = await runFileOperation(spawn, target, { name: 'attachments', path: where ? `${where.base}/${where.name}` : '$TMPDIR', ...made }, run);
  let removed = false;
  const cleanup = async (): Promise<void> => {
    if (removed) return;
    removed = true;
    // Not the run's signal: it may be the very abort this cleanup follows.
    await runFileOperation(spawn, target, { name: 'attachments', path: dir, op: 'remove', args: [dir, 'recursive'] }, { ...run, signal: undefined, timeoutMs: CLEANUP_TIMEOUT_MS }).catch(() => {});
  };
  try {
    const paths: string[] = [];
    for (const item of list) {
      const remotePath = `${dir}/${item.name}`;
      const hash = createHash('sha256');
      if ('path' in item.source) await pipeline(createReadStream(item.source.path), hash);
      else hash.update(item.source.data);
      const input = 'path' in item.source ? createReadStream(item.source.path) : Readable.from([Buffer.from(item.source.data.buffer, item.source.data.byteOffset, item.source.data.byteLength)]);
      await runFileOperation(spawn, target, { name: 'attachments', path: remotePath, op: 'write', args: [remotePath, String(item.size), hash.digest('hex'), '600'], input }, run);
      paths.push(remotePath);
    }
    return { paths, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * Puts a run's attachments in place (uploaded to a private remote directory, or for a local run
 * used where they are / written to a private local temp dir) and returns the run's config with
 * `attachmentArgs(paths)` after its args and `SSHWRAP_ATTACHMENTS` in its env, plus the cleanup.
 * Used by `runWithSsh` and `spawnWithSsh` (which pass themselves as `spawn`, hence the parameter).
 *
 * @throws {SshWrapError} bad input (see {@link checkAttachments}), `REMOTE_NOT_FOUND`.
 * @throws {RemoteFileError} when an upload failed (`ESSH` with `errorKind`, `ENOSPC`, `ECANCELED`, …).
 */
export async function stageAttachments(
  spawn: FileSpawner,
  config: SshSpawnWrapConfig,
  agentSsh: AgentSshRemoteConfig | null | undefined,
  store: SshRemoteStoreAdapter,
  options: SpawnWithSshOptions & AttachmentOptions,
  where?: AttachmentDir,
): Promise<{ config: SshSpawnWrapConfig; staged: StagedAttachments }> {
  parseSshSpawnWrapConfig(config);
  const list = await checkAttachments(options);
  let remote = null;
  try {
    remote = await resolveSshRemote(agentSsh == null ? null : parseAgentSshRemoteConfig(agentSsh), store);
  } catch (error) {
    if (!(options.fallbackToLocal && error instanceof SshWrapError && error.code === 'REMOTE_NOT_FOUND')) throw error;
  }
  if (remote?.remotePlatform === 'windows') {
    throw new SshWrapError('INVALID_CONFIG', 'attachments need a POSIX remote', { field: 'attachments' });
  }
  const staged = list.length === 0 ? { paths: [], cleanup: async () => {} } : remote ? await stageRemote(spawn, await resolveTarget(remote, store), list, options, where) : await stageLocal(list);
  try {
    const extra = options.attachmentArgs ? options.attachmentArgs([...staged.paths]) : [];
    if (!Array.isArray(extra) || extra.some((arg) => typeof arg !== 'string')) {
      throw new SshWrapError('INVALID_CONFIG', 'attachmentArgs must return an array of strings', { field: 'attachmentArgs' });
    }
    return {
      config: { ...config, args: [...(config.args ?? []), ...extra], customEnvVars: { ...config.customEnvVars, SSHWRAP_ATTACHMENTS: staged.paths.join('\n') } },
      staged,
    };
  } catch (error) {
    await staged.cleanup();
    throw error;
  }
}

/**
 * `options` without the attachment keys: what the run itself gets once the files are in place.
 * @internal
 * @example
 * ```ts
 * withoutAttachmentOptions({ attachments: [], timeoutMs: 5 }); // { timeoutMs: 5 }
 * ```
 */
export function withoutAttachmentOptions<T extends AttachmentOptions>(options: T): Omit<T, keyof AttachmentOptions> {
  const { attachments: _a, attachmentArgs: _b, maxAttachmentBytes: _c, ...rest } = options;
  return rest;
}
