// Types only, imported by exec/options.ts: no imports here, so the runners' option types never
// depend on the attachment code that depends on them.

/**
 * One file for a run: a local file (`path`; its base name is the attachment's name) or bytes with
 * a name. Names: 1–255 UTF-8 bytes, no `/`, NUL or newline (the paths are newline-separated in
 * `SSHWRAP_ATTACHMENTS`), not `.` or `..`, unique within a run. Spaces, quotes and non-ASCII are fine.
 *
 * @example
 * ```ts
 * const attachments: Attachment[] = [{ path: './screenshot.png' }, { name: 'diagram 1.png', data: pngBytes }];
 * ```
 */
export type Attachment = { path: string } | { name: string; data: Uint8Array };

/** Default `maxAttachmentBytes`: 50 MB (52,428,800 bytes) for all of a run's attachments together. */
export const DEFAULT_MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024;
/**
 * Attachment options of `runWithSsh` and `spawnWithSsh`.
 *
 * @example
 * ```ts
 * const options: AttachmentOptions = {
 *   attachments: [{ path: './bug.png' }],
 *   attachmentArgs: (paths) => paths.flatMap((p) => ['--image', p]),
 * };
 * ```
 */
export interface AttachmentOptions {
  /**
   * Files uploaded before the command starts, into a private per-run directory (remote:
   * `mktemp -d` under `$TMPDIR` or /tmp, 0700, files 0600; local runs: see docs/files.md),
   * byte-exact and verified; removed when the run ends (also after an abort, a timeout or
   * `kill()`). Their paths are in the env variable `SSHWRAP_ATTACHMENTS` (newline-separated) and,
   * through `attachmentArgs`, on the command line. @default undefined (none)
   */
  attachments?: readonly Attachment[];
  /** Turns the attachments' paths into arguments, placed after `args` and before the prompt. @default () => [] (env only) */
  attachmentArgs?: (paths: string[]) => string[];
  /** Bytes all attachments may add up to; more throws `ATTACHMENT_TOO_LARGE` before anything is sent. @default 52_428_800 */
  maxAttachmentBytes?: number;
}

