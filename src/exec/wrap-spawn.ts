import { homedir } from 'node:os';
import { SshWrapError } from '../errors/index.js';
import { resolveSshRemote, type SshRemoteStoreAdapter } from '../resolve/index.js';
import {
  assertKnownOptions,
  assertSshPathOption,
  parseAgentSshRemoteConfig,
  parseSshSpawnWrapConfig,
  type AgentSshRemoteConfig,
  type ParsedSshSpawnWrapConfig,
  type SshRemoteConfig,
  type SshSpawnWrapConfig,
} from '../schemas/index.js';
import { defaultSshPath, type SshSpawnWrapResult } from '../wrap/index.js';
import { wrapRemoteUnchecked } from '../wrap/wrap-remote.js';
import { randomMarkerToken } from './markers.js';
import { RunCallbacks, spawnDescription } from './events.js';
import { WRAP_SPAWN_OPTION_KEYS, type WrapSpawnOptions } from './options.js';

function localResult(config: ParsedSshSpawnWrapConfig): SshSpawnWrapResult {
  return {
    command: config.command,
    args: [...config.args],
    cwd: config.cwd,
    ...(config.customEnvVars ? { customEnvVars: { ...config.customEnvVars } } : {}),
    ...(config.prompt !== undefined ? { prompt: config.prompt } : {}),
    sshRemoteUsed: null,
  };
}

/**
 * Wraps an already-resolved remote with the local defaults (ssh client, home directory) filled
 * in from this machine. The runners call it with options they checked themselves.
 * @internal
 */
export function wrapWithLocalDefaults(
  config: ParsedSshSpawnWrapConfig,
  remote: SshRemoteConfig,
  workingDirOverride: string | undefined,
  options: WrapSpawnOptions,
): SshSpawnWrapResult {
  // An ssh client path or config file starting with `-` would be read as an option.
  assertSshPathOption(options.sshPath, 'sshPath');
  assertSshPathOption(options.sshConfigFile, 'sshConfigFile');
  return wrapRemoteUnchecked(config, remote, workingDirOverride, {
    promptStdinThreshold: options.promptStdinThreshold,
    maxCommandBytes: options.maxCommandBytes,
    shell: options.shell,
    keepStdin: options.keepStdin,
    remotePath: options.remotePath,
    remoteEnvironment: options.remoteEnvironment,
    secretEnv: options.secretEnv,
    envOnStdin: options.envOnStdin,
    // Framing needs a token to frame with; a fresh random one when the caller has none.
    statusMarker: options.statusMarker ?? (options.frameOutput ? randomMarkerToken() : undefined),
    frameOutput: options.frameOutput,
    lifeline: options.lifeline,
    managedSshOptions: options.managedSshOptions,
    allowUnsafeOptions: options.allowUnsafeOptions,
    sshConfigFile: options.sshConfigFile,
    sshPath: options.sshPath ?? defaultSshPath(options.localPlatform ?? process.platform, process.env),
    localPlatform: options.localPlatform ?? process.platform,
    localCwd: options.localCwd ?? homedir(),
  });
}

/**
 * Resolves the agent's remote and wraps the spawn for it, or returns the spawn unchanged when
 * SSH is off. Shared by `wrapSpawnWithSsh` and the runners.
 * @internal
 */
export async function resolveAndWrap(
  config: ParsedSshSpawnWrapConfig,
  agentSsh: AgentSshRemoteConfig | null | undefined,
  store: SshRemoteStoreAdapter,
  options: WrapSpawnOptions,
  callbacks?: RunCallbacks,
): Promise<SshSpawnWrapResult> {
  const agent = agentSsh == null ? null : parseAgentSshRemoteConfig(agentSsh);
  let remote: SshRemoteConfig | null;
  try {
    remote = await resolveSshRemote(agent, store);
  } catch (error) {
    if (options.fallbackToLocal && error instanceof SshWrapError && error.code === 'REMOTE_NOT_FOUND') return localResult(config);
    throw error;
  }
  callbacks?.emit({ type: 'resolve', remoteId: remote?.id ?? null, host: remote?.host ?? null });
  const wrapped = remote === null ? localResult(config) : wrapWithLocalDefaults(config, remote, agent?.workingDirOverride, options);
  callbacks?.emit({ type: 'spawn', remote: remote !== null, ...spawnDescription(config, remote, options) });
  return wrapped;
}

/**
 * Wraps a local spawn so it runs on the agent's SSH remote: same command (or
 * `agentBinaryName`), arguments, working directory (or `workingDirOverride`), environment and
 * prompt, byte-exact under any login shell.
 *
 * - SSH off (`agentSsh` missing, `enabled: false`, `remoteId: null`): the spawn comes back
 *   unchanged with `sshRemoteUsed: null` (`prompt` and `customEnvVars` are yours to apply).
 * - Unknown or disabled remote: throws `REMOTE_NOT_FOUND` (unless `fallbackToLocal`).
 * - Small prompts are embedded as `-- <prompt>` (or `promptArgs(prompt)`); large ones are in
 *   `stdin` for the caller to write to ssh's stdin. No prompt size causes E2BIG. `prompt` is
 *   always `undefined` for ssh.
 * - Secret-looking env values travel on stdin too (`envOnStdin`, default `'secrets'`): write
 *   `stdin` whenever it is set.
 * - Without anything on stdin for the agent (and without `keepStdin`) the agent's stdin is
 *   /dev/null on the remote, so `--print`-style agents never wait for input and no tty is needed.
 * - Connection reuse: lease from a pool yourself and pass its options, then release the lease
 *   when ssh has exited (the runners `spawnWithSsh`/`runWithSsh` do this for you with `multiplex`).
 *
 * @throws {SshWrapError} `INVALID_CONFIG` (also for an unknown option key), `UNSAFE_ARGUMENT`,
 *   `REMOTE_NOT_FOUND`, `COMMAND_TOO_LONG`; nothing is spawned.
 * @example
 * ```ts
 * const wrapped = await wrapSpawnWithSsh(
 *   { command: '/usr/local/bin/claude', args: ['--print'], cwd: '/path/to/project', prompt: 'Hello, Claude!', agentBinaryName: 'claude' },
 *   { enabled: true, remoteId: 'gpu-1' },
 *   createSshRemoteStoreAdapter(settingsStore),
 * );
 * const child = spawn(wrapped.command, wrapped.args, { cwd: wrapped.cwd });
 * child.stdin.end(wrapped.stdin ?? '');
 * ```
 * @example Pooled: one ControlMaster per host, held while the process runs
 * ```ts
 * const lease = await defaultConnectionPool.acquire(remote, true);
 * const wrapped = await wrapSpawnWithSsh(config, agentSsh, store, { managedSshOptions: lease.managedSshOptions });
 * const child = spawn(wrapped.command, wrapped.args, { cwd: wrapped.cwd });
 * child.once('exit', () => lease.release());
 * ```
 */
export async function wrapSpawnWithSsh(
  config: SshSpawnWrapConfig,
  agentSsh: AgentSshRemoteConfig | null | undefined,
  store: SshRemoteStoreAdapter,
  options: WrapSpawnOptions = {},
): Promise<SshSpawnWrapResult> {
  assertKnownOptions(options, WRAP_SPAWN_OPTION_KEYS, 'wrapSpawnWithSsh options');
  const callbacks = new RunCallbacks(options.onEvent);
  const wrapped = await resolveAndWrap(parseSshSpawnWrapConfig(config), agentSsh, store, options, callbacks);
  callbacks.rethrow();
  return wrapped;
}
