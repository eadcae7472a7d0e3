import type { ConnectionPool, MultiplexOption } from '../pool/index.js';
import type { SshRemoteConfig } from '../schemas/index.js';
import type { RemotePathMode } from './remote-path.js';

/**
 * Options for {@link wrapSpawnWithSsh}. Every field is optional; defaults are documented per field.
 */
export interface WrapSpawnOptions {
  /** ssh client binary. @default {@link defaultSshPath} for `localPlatform`: `'ssh'`, or the OS OpenSSH client on Windows */
  sshPath?: string;
  /** The local platform, for choosing the default ssh client (tests, cross-platform tooling). @default process.platform */
  localPlatform?: NodeJS.Platform;
  /** Local working directory for the ssh process. @default the local home directory */
  localCwd?: string;
  /**
   * Run locally when the selected remote is unknown or disabled, instead of throwing
   * `REMOTE_NOT_FOUND`. Off by default: a silent local run is the bug this library exists to avoid.
   * @default false
   */
  fallbackToLocal?: boolean;
  /**
   * Prompts longer than this many UTF-8 bytes go to the agent's stdin instead of its argv.
   * A prompt is also moved to stdin whenever embedding it would push the remote command past
   * `maxCommandBytes`. @default 4000
   */
  promptStdinThreshold?: number;
  /**
   * Upper bound for the remote command string (one kernel argument on the remote: 131,071 bytes
   * at most). @default 100000
   */
  maxCommandBytes?: number;
  /**
   * How the command reaches the remote login shell.
   * - `'any'`: an encoded script that every login shell (bash, dash, zsh, mksh, ash, fish, tcsh)
   *   passes to /bin/sh unchanged; byte-exact everywhere.
   * - `'posix'`: the readable script itself; only correct when the login shell is POSIX.
   * @default 'any'
   */
  shell?: 'any' | 'posix';
  /**
   * Keep the agent's stdin connected to ssh's stdin even when the prompt is embedded (for agents
   * you stream to, e.g. `--input-format stream-json`). Off by default, the agent gets /dev/null
   * as stdin so a run never waits for input nobody sends.
   * @default false
   */
  keepStdin?: boolean;
  /** Remote PATH handling. @default 'augment' */
  remotePath?: RemotePathMode;
  /**
   * Environment variables sent over ssh's stdin instead of the command line (API keys, tokens).
   * They never appear on any argv, locally or remotely. The caller must write
   * {@link SshSpawnWrapResult.stdin} to ssh's stdin. @default undefined
   */
  secretEnv?: Record<string, string>;
  /**
   * Ask the remote script to report its pid, start, exit status, missing cwd and missing binary on
   * stderr as marker lines (`[A-Za-z0-9_-]+` token). Used by the executor layer, which strips them.
   * @default undefined
   */
  statusMarker?: string;
  /**
   * Reuse one OpenSSH connection per remote (ControlMaster): the wrap makes sure a master runs and
   * returns args that go through it. Only the connection is shared here; the per-host concurrency
   * limit applies to `spawnWithSsh`/`runWithSsh`, which know when a process ends. Off on Windows.
   * @default undefined (off)
   */
  multiplex?: MultiplexOption;
  /** The pool `multiplex` uses. @default defaultConnectionPool */
  connectionPool?: ConnectionPool;
  /** ssh options managed by the caller's infrastructure (pooling, host-key policy), below customOptions. @default undefined */
  managedSshOptions?: Record<string, string>;
  /** Command-executing ssh options allowed in customOptions (e.g. `['ProxyCommand']`). @default [] */
  allowUnsafeOptions?: string[];
  /** ssh_config file for `useSshConfig: true` remotes (`-F`). @default ssh's own (~/.ssh/config) */
  sshConfigFile?: string;
}

/**
 * What to spawn instead of the original command. Pass `command`, `args`, `cwd` to `spawn`; when
 * `stdin` is set, write exactly it to the child's stdin and end it.
 *
 * @example
 * ```ts
 * const child = spawn(result.command, result.args, { cwd: result.cwd });
 * if (result.stdin !== undefined) child.stdin.end(result.stdin); else child.stdin.end();
 * ```
 */
export interface SshSpawnWrapResult {
  /** `'ssh'` (or `sshPath`) when remote, the original command when local. */
  command: string;
  /** ssh arguments including the remote command, or the original arguments. */
  args: string[];
  /** Local working directory: the home directory for ssh, the original cwd when local. */
  cwd: string;
  /** The original env when local; `undefined` for ssh (exported inside the remote command). */
  customEnvVars?: Record<string, string>;
  /**
   * When local: the prompt as given. When remote: the prompt only if it is delivered on stdin
   * (too large to embed), `undefined` when it is embedded in the command.
   */
  prompt?: string;
  /** The remote used (without `passphrase`), or `null` for a local run. */
  sshRemoteUsed: SshRemoteConfig | null;
  /**
   * Exact bytes to write to ssh's stdin before ending it: stdin-delivered env values (if any) then
   * the stdin-delivered prompt (if any). Equal to `prompt` when there is no `secretEnv`; with
   * `secretEnv` it is non-enumerable, so `JSON.stringify` and object spread never copy the secrets.
   */
  stdin?: string;
  /** Readable POSIX form of what runs remotely, with secret values redacted. For display and logs only. */
  remoteCommand?: string;
}
