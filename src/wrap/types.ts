import type { SshRemoteConfig } from '../schemas/index.js';
import type { EnvOnStdin } from './redact.js';
import type { RemoteEnvironment } from './login-env.js';
import type { RemotePathMode } from './remote-path.js';

/**
 * Options of the pure wrap ({@link wrapForRemote}). Everything the local machine decides (the ssh
 * client, the local working directory) is passed in: the core never asks the OS. The runners and
 * `wrapSpawnWithSsh` fill those from `process.platform` and the home directory.
 *
 * @example
 * ```ts
 * const options: RemoteWrapOptions = { sshPath: '/usr/bin/ssh', localCwd: '/home/me', envOnStdin: 'secrets', promptStdinThreshold: 4000 };
 * ```
 */
export interface RemoteWrapOptions {
  /** ssh client binary (`'ssh'`, or the OS OpenSSH client on Windows: see {@link defaultSshPath}). */
  sshPath: string;
  /** Local working directory for the ssh process (usually the local home directory). */
  localCwd: string;
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
  /**
   * Remote PATH handling, applied on top of `remoteEnvironment`.
   * @default 'augment'; 'inherit' (the login shell's PATH unchanged) with `remoteEnvironment: 'login'`
   */
  remotePath?: RemotePathMode;
  /**
   * Which environment the command runs in (see {@link RemoteEnvironment} and docs/exec.md "The
   * login environment"):
   * - `'default'`: what sshd gives a non-interactive command; no startup file is read.
   * - `'login'`: the one the user's login shell builds (`$SHELL -l`: /etc/profile, ~/.profile,
   *   ~/.bash_profile, ~/.zprofile, config.fish, ~/.login …), captured silently before the
   *   command runs. The command's args, env, cwd and prompt stay byte-exact and sshwrap's own
   *   variables (customEnvVars, secrets, PATH rules) win over the profile's. A login shell that
   *   takes longer than 10 s (or `timeoutSeconds`) is killed and the run fails with
   *   `errorKind: 'login-env-timeout'`; one that exits without reporting gives `'login-env-failed'`.
   *   Costs one extra login-shell start per run (its profile's run time).
   * Refused for Windows remotes (`INVALID_CONFIG`).
   * @default 'default'
   */
  remoteEnvironment?: RemoteEnvironment;
  /**
   * Environment variables sent over ssh's stdin instead of the command line (API keys, tokens).
   * They never appear on any argv, locally or remotely. The caller must write
   * {@link SshSpawnWrapResult.stdin} to ssh's stdin. @default undefined
   */
  secretEnv?: Record<string, string>;
  /**
   * Which `customEnvVars` and `remoteEnv` values travel on ssh's stdin (never on any argv, local
   * or remote) instead of being exported on the remote command line:
   * - `'secrets'`: names for which {@link isSecretEnvName} is true (`*_API_KEY`, `*_TOKEN`,
   *   `DATABASE_URL`, ...);
   * - `'all'`: every value;
   * - `'none'`: none (only `secretEnv`). The values are then visible to every user of both
   *   machines in `ps` for the whole run: an explicit opt-in.
   * When anything travels on stdin, write {@link SshSpawnWrapResult.stdin} to ssh's stdin.
   * @default 'secrets'
   */
  envOnStdin?: EnvOnStdin;
  /**
   * Ask the remote script to report its pid, start, exit status, missing cwd and missing binary on
   * stderr as marker lines (`[A-Za-z0-9_-]+` token). Used by the executor layer, which strips them.
   * @default undefined
   */
  statusMarker?: string;
  /**
   * Frame the output so login noise can be told apart: the script writes a frame line to stdout
   * before anything else, and the first status marker frames stderr. Whatever the login shell and
   * its startup files (~/.bashrc, ~/.zshenv, config.fish, ~/.tcshrc) print comes before the
   * frames. Read the streams through `createOutputDeframer(wrapped)` to get exactly what the
   * command wrote. Needs `statusMarker` (`wrapSpawnWithSsh` makes one when it is missing).
   * @default false
   */
  frameOutput?: boolean;
  /**
   * Tie the remote command to ssh's stdin, so it never outlives its owner: sshd does not signal a
   * no-tty command when the connection drops, the local ssh is killed or the process that started
   * it dies, but in every one of those cases ssh's stdin reaches EOF on the remote. With it, the
   * remote script keeps reading stdin after the env lines and the prompt, and on EOF signals the
   * command's process group (TERM, 1 s later KILL).
   *
   * The caller writes {@link SshSpawnWrapResult.stdin} and then keeps ssh's stdin OPEN until the
   * run ends; ending it stops the remote command. A prompt on stdin is framed for it: its UTF-8
   * byte length in decimal and `\n`, then the prompt (the command sees exactly the prompt, then
   * EOF). Ignored with `keepStdin` (the agent reads ssh's stdin itself, so ending it is its normal
   * EOF) and for Windows remotes. The runners (`spawnWithSsh`, `runWithSsh`) set it.
   * @default false
   */
  lifeline?: boolean;
  /** ssh options managed by the caller's infrastructure (pooling, host-key policy), below customOptions. @default undefined */
  managedSshOptions?: Record<string, string>;
  /** Command-executing ssh options allowed in customOptions (e.g. `['ProxyCommand']`). @default [] */
  allowUnsafeOptions?: string[];
  /** ssh_config file for `useSshConfig: true` remotes (`-F`). @default ssh's own (~/.ssh/config) */
  sshConfigFile?: string;
  /**
   * The local OS (`process.platform`); `'win32'` refuses `jumpHosts` (see `buildSshArgs`).
   * @default undefined (a POSIX local machine)
   */
  localPlatform?: NodeJS.Platform;
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
   * When local: the prompt as given, for the caller to place. For ssh: always `undefined`; an
   * embedded prompt is already in `args` and a large one is in `stdin`, so nothing a caller
   * forwards to a spawn can turn the prompt into shell text.
   */
  prompt?: string;
  /** The remote used (without `passphrase`), or `null` for a local run. */
  sshRemoteUsed: SshRemoteConfig | null;
  /**
   * Exact bytes to write to ssh's stdin before ending it: the stdin-delivered env values (if any)
   * then the stdin-delivered prompt (if any). When it carries env values it is non-enumerable,
   * so `JSON.stringify` and object spread never copy them.
   */
  stdin?: string;
  /** The status-marker token the remote script reports with, when markers are on. */
  statusMarker?: string;
  /** The output is framed (see {@link RemoteWrapOptions.frameOutput}): read it through `createOutputDeframer`. */
  frameOutput?: boolean;
  /** The remote script watches ssh's stdin (see {@link RemoteWrapOptions.lifeline}): write `stdin`, then keep it open until the run ends. */
  lifeline?: boolean;
  /** Readable POSIX form of what runs remotely, with the values that travel on stdin shown as `<redacted>`. For display and logs only. */
  remoteCommand?: string;
}
