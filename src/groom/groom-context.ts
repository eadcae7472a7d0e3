import { SshWrapError } from '../errors/index.js';
import { runSucceeded, runWithSsh, SshRunError, type SpawnExecutor, type SshRunEvent } from '../exec/index.js';
import { createMemoryStoreAdapter, type SshRemoteStoreAdapter } from '../resolve/index.js';
import { assertKnownOptions, optionKeys, type AgentSshRemoteConfig } from '../schemas/index.js';
import type { EnvOnStdin, RemoteEnvironment, RemotePathMode } from '../wrap/index.js';
import { getAgent } from './agents.js';

/**
 * Options of {@link groomContext} (the reference doc's fourth argument, plus run controls).
 *
 * @example
 * ```ts
 * const options: GroomContextOptions = { sshRemoteConfig: { enabled: true, remoteId: 'gpu' }, store, timeoutMs: 300_000 };
 * ```
 */
export interface GroomContextOptions {
  /** The agent's SSH settings; missing, disabled or `remoteId: null` runs locally. @default undefined */
  sshRemoteConfig?: AgentSshRemoteConfig | null;
  /** Full path of the agent binary, used instead of its name, locally and remotely. @default undefined */
  customPath?: string;
  /**
   * Environment for the agent. Secret-looking names (`*_API_KEY`, `*_TOKEN`, …) are sent over
   * ssh's stdin, never on a command line where `ps` would show them (see `envOnStdin`).
   * @default undefined
   */
  customEnvVars?: Record<string, string>;
  /** Which env values travel on ssh's stdin instead of the command line (see `isSecretEnvName`). @default 'secrets' */
  envOnStdin?: EnvOnStdin;
  /** Where `sshRemoteConfig.remoteId` is looked up; required when SSH is on. @default undefined */
  store?: SshRemoteStoreAdapter;
  /** How processes are started. @default nodeExecutor */
  executor?: SpawnExecutor;
  /** Cancels the run; the promise rejects with an `SshRunError` whose `aborted` is true. @default undefined */
  signal?: AbortSignal;
  /** Kill the agent after this long. @default undefined (no limit) */
  timeoutMs?: number;
  /** Remote PATH handling. @default 'augment' */
  remotePath?: RemotePathMode;
  /** The remote command's environment: `'login'` runs it in the login shell's (see `RemoteWrapOptions.remoteEnvironment`). @default 'default' */
  remoteEnvironment?: RemoteEnvironment;
  /** ssh client binary. @default 'ssh' */
  sshPath?: string;
  /** Called with each event of the run (see `SshRunEvent`). @default undefined */
  onEvent?: (event: SshRunEvent) => void;
}

const GROOM_OPTION_KEYS = optionKeys<GroomContextOptions>()({
  sshRemoteConfig: true,
  customPath: true,
  customEnvVars: true,
  envOnStdin: true,
  store: true,
  executor: true,
  signal: true,
  timeoutMs: true,
  remotePath: true,
  remoteEnvironment: true,
  sshPath: true,
  onEvent: true,
});

/**
 * Runs an agent once in batch mode with `prompt` in `projectRoot` (locally, or on the agent's
 * SSH remote through the same wrap path every spawn uses) and resolves with its answer
 * (stdout, trimmed).
 *
 * @throws {SshWrapError} before anything runs: unknown `agentType`, bad config, SSH on without a store.
 * @throws {SshRunError} when the run failed: `errorKind`/`hint` when the agent could not start
 *   (ssh failure, agent not on the remote PATH, missing directory), otherwise its exit status,
 *   `timedOut` or `aborted`.
 * @example
 * ```ts
 * const summary = await groomContext('/path/to/project', 'claude-code', 'Summarize this conversation focusing on key decisions', {
 *   sshRemoteConfig: { enabled: true, remoteId: 'gpu-server', workingDirOverride: '/home/dev/project' },
 *   customPath: '/opt/claude/bin/claude',
 *   customEnvVars: { ANTHROPIC_API_KEY: 'sk-...' },
 *   store: createSshRemoteStoreAdapter(settingsStore),
 * });
 * ```
 */
export async function groomContext(projectRoot: string, agentType: string, prompt: string, options: GroomContextOptions = {}): Promise<string> {
  assertKnownOptions(options, GROOM_OPTION_KEYS, 'groomContext options');
  const agent = getAgent(agentType);
  if (!agent) {
    throw new SshWrapError('INVALID_CONFIG', `Unknown agent type "${agentType}"`, {
      field: 'agentType',
      hint: 'Use a built-in type (claude-code, codex, gemini-cli) or registerAgent() your own.',
    });
  }
  const sshOn = Boolean(options.sshRemoteConfig?.enabled && options.sshRemoteConfig.remoteId !== null);
  if (sshOn && !options.store) {
    throw new SshWrapError('INVALID_CONFIG', 'groomContext needs options.store to resolve the SSH remote', { field: 'store' });
  }
  const result = await runWithSsh(
    {
      command: options.customPath ?? agent.binary,
      args: [...agent.batchArgs],
      cwd: projectRoot,
      prompt,
      ...(options.customEnvVars ? { customEnvVars: options.customEnvVars } : {}),
      ...(agent.promptArgs ? { promptArgs: agent.promptArgs } : {}),
    },
    options.sshRemoteConfig,
    options.store ?? createMemoryStoreAdapter([]),
    {
      executor: options.executor,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      remotePath: options.remotePath,
      remoteEnvironment: options.remoteEnvironment,
      sshPath: options.sshPath,
      envOnStdin: options.envOnStdin,
      onEvent: options.onEvent,
    },
  );
  if (!runSucceeded(result)) throw new SshRunError(result, `${agentType} (context grooming)`);
  return result.stdout.trim();
}
