import type { SshFailureKind } from '../classify/index.js';
import type { SpawnExecutor, SshRunEvent } from '../exec/index.js';
import type { EffectiveRemote } from '../resolve/index.js';
import type { ConnectionPool, MultiplexOption } from '../pool/index.js';
import type { RemoteEnvironment, RemotePathMode } from '../wrap/index.js';

/**
 * The outcome of {@link testConnection}: the reference doc's `SshRemoteTestResult`, plus
 * `errorKind` and `hint` when something is wrong.
 *
 * `success` means ssh connected, authenticated and ran a remote shell. When an agent was asked
 * for and is not on the remote PATH, `success` stays true (as in the reference example, which
 * reads `agentAvailable` in the success branch) and `agentAvailable: false` comes with
 * `errorKind: 'agent-not-found'` and its hint.
 *
 * @example
 * ```ts
 * const result: SshRemoteTestResult = await testConnection(remote, 'claude');
 * if (!result.success) console.error(result.error, result.hint);
 * ```
 */
export interface SshRemoteTestResult {
  success: boolean;
  /** One line for a human: what worked, or what failed. */
  message: string;
  details?: {
    /** The remote's host name (`hostname`, or `uname -n`). */
    hostname: string;
    /** The remote login name (`id -un`). */
    username: string;
    /** The remote OS (`uname -s`), e.g. `'Linux'`, `'Darwin'`. */
    platform: string;
    /** The remote machine (`uname -m`), e.g. `'x86_64'`, `'arm64'`. */
    arch: string;
    /** Whether `command -v <agent>` found it (only when an agent command was given). */
    agentAvailable?: boolean;
    /** Where it was found on the remote PATH. */
    agentPath?: string;
    /**
     * Which environment finds the agent (only when an agent command was given): `'path'` the
     * default one (sshd's PATH with `remotePath`), `'login'` only the login shell's
     * (`remoteEnvironment: 'login'`), `null` neither of those that were tried. With the default
     * `remoteEnvironment` only the default environment is tried.
     */
    agentFoundBy?: 'path' | 'login' | null;
    /** Where ssh logged in, as ssh resolves it (`ssh -G` for `useSshConfig` remotes). */
    effectiveRemote?: EffectiveRemote;
  };
  /** What went wrong (when `success` is false). */
  error?: string;
  /** Machine-readable reason (see {@link SshFailureKind}). */
  errorKind?: SshFailureKind;
  /** What to do about it. */
  hint?: string;
}

/**
 * Options of {@link testConnection}.
 *
 * @example
 * ```ts
 * const options: TestConnectionOptions = { timeoutMs: 15_000, remotePath: ['/opt/agents/bin'] };
 * ```
 */
export interface TestConnectionOptions {
  /**
   * Give up after this long. @default ConnectTimeout (from customOptions, else 10 s) once per
   * connection (each of `jumpHosts`, then the host) + 10 s (+ the login bound with
   * `remoteEnvironment: 'login'`), so a server that accepts TCP and then stalls can never hang
   * the test.
   */
  timeoutMs?: number;
  /** Cancel the test (`success: false`, no errorKind). @default undefined */
  signal?: AbortSignal;
  /** Starts every process of the test: the probe's ssh, `ssh -G` for `useSshConfig` remotes, pooled masters. @default nodeExecutor */
  executor?: SpawnExecutor;
  /** ssh client binary. @default 'ssh' */
  sshPath?: string;
  /** Remote PATH handling for the agent lookup, as for real runs. @default 'augment' */
  remotePath?: RemotePathMode;
  /**
   * Probe in this environment, as real runs with it would (see `RemoteWrapOptions.remoteEnvironment`).
   * With `'login'` a second probe in the default environment runs at the same time, so
   * `agentFoundBy` can tell whether the login environment is needed. @default 'default'
   */
  remoteEnvironment?: RemoteEnvironment;
  /** How the command reaches the login shell. @default 'any' */
  shell?: 'any' | 'posix';
  /** Probe over a pooled connection (see `multiplex` on runWithSsh). @default undefined (off) */
  multiplex?: MultiplexOption;
  /** The pool `multiplex` leases from. @default defaultConnectionPool */
  connectionPool?: ConnectionPool;
  /** ssh options from the caller's infrastructure (pooling, host-key policy). @default undefined */
  managedSshOptions?: Record<string, string>;
  /** Command-executing ssh options allowed in customOptions. @default [] */
  allowUnsafeOptions?: string[];
  /** ssh_config file for `useSshConfig` remotes. @default ~/.ssh/config */
  sshConfigFile?: string;
  /** Environment of the local ssh process. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Called with each event of the probe run (see `SshRunEvent`). @default undefined */
  onEvent?: (event: SshRunEvent) => void;
}
