import { homedir } from 'node:os';
import { SshWrapError } from '../errors/index.js';
import { utf8Length } from '../quoting/index.js';
import { resolveSshRemote, type SshRemoteStoreAdapter } from '../resolve/store-adapters.js';
import {
  parseAgentSshRemoteConfig,
  parseEnvRecord,
  parseSshSpawnWrapConfig,
  type AgentSshRemoteConfig,
  type ParsedSshSpawnWrapConfig,
  type SshRemoteConfig,
  type SshSpawnWrapConfig,
} from '../schemas/index.js';
import { DEFAULT_PROMPT_STDIN_THRESHOLD, promptFitsThreshold, promptWords } from './prompt.js';
import { redactEnv, withoutSecrets } from './redact.js';
import { buildRemoteCommand } from './remote-command.js';
import { buildRemoteScript, encodeSecretLines, anyShellCommand, type RemoteScriptSpec } from './remote-script.js';
import { buildSshArgs } from './ssh-args.js';
import { defaultSshPath } from './ssh-path.js';
import { buildPowerShellScript, powerShellCommand } from './windows-script.js';
import type { SshSpawnWrapResult, WrapSpawnOptions } from './types.js';

const DEFAULT_MAX_COMMAND_BYTES = 100_000;
// cmd.exe, the default shell of Windows OpenSSH, refuses command lines over 8191 characters.
const DEFAULT_MAX_COMMAND_BYTES_WINDOWS = 8000;
// One argv string on Linux (MAX_ARG_STRLEN - 1); the remote sshd passes the command as one.
const KERNEL_ARG_LIMIT = 131_071;

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

function positiveInt(value: number | undefined, fallback: number, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new SshWrapError('INVALID_CONFIG', `${name} must be an integer between 0 and ${max}`, { field: name });
  }
  return value;
}

function assertNoNul(values: readonly string[], field: string): void {
  if (values.some((value) => value.includes('\u0000'))) {
    throw new SshWrapError('UNSAFE_ARGUMENT', `${field} must not contain a NUL byte`, { field });
  }
}

/** Bytes of a remote command; the encoded transports are pure ASCII, so only `posix` needs counting. */
function commandBytes(command: string): number {
  return /^[\x00-\x7f]*$/.test(command) ? command.length : utf8Length(command);
}

interface Plan {
  remote: SshRemoteConfig;
  binary: string;
  cwd: string;
  env: Record<string, string>;
  secretEnv: Record<string, string>;
}

function buildRemoteInvocation(plan: Plan, args: string[], stdinPrompt: boolean, options: WrapSpawnOptions): string {
  const spec: RemoteScriptSpec = {
    command: plan.binary,
    args,
    cwd: plan.cwd,
    env: plan.env,
    remotePath: options.remotePath,
    stdinEnvNames: Object.keys(plan.secretEnv),
    commandStdin: stdinPrompt || options.keepStdin ? 'inherit' : 'null',
    statusMarker: options.statusMarker,
  };
  if (plan.remote.remotePlatform === 'windows') return powerShellCommand(buildPowerShellScript(spec));
  const script = buildRemoteScript(spec);
  return options.shell === 'posix' ? script : anyShellCommand(script);
}

/**
 * Wraps a local spawn so it runs on the agent's SSH remote: same command (or
 * `agentBinaryName`), arguments, working directory (or `workingDirOverride`), environment and
 * prompt, byte-exact under any login shell.
 *
 * - SSH off (`agentSsh` missing, `enabled: false`, `remoteId: null`): the spawn comes back
 *   unchanged with `sshRemoteUsed: null`.
 * - Unknown or disabled remote: throws `REMOTE_NOT_FOUND` (unless `fallbackToLocal`).
 * - Small prompts are embedded as `-- <prompt>` (or `promptArgs(prompt)`); large ones are returned
 *   in `prompt`/`stdin` for the caller to write to ssh's stdin. No prompt size causes E2BIG.
 * - Without a stdin-delivered prompt (and without `keepStdin`) the agent's stdin is /dev/null on
 *   the remote, so `--print`-style agents never wait for input and no tty (`-tt`) is needed.
 *
 * @throws {SshWrapError} `INVALID_CONFIG`, `UNSAFE_ARGUMENT`, `REMOTE_NOT_FOUND`, `COMMAND_TOO_LONG`; nothing is spawned.
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
 */
export async function wrapSpawnWithSsh(
  config: SshSpawnWrapConfig,
  agentSsh: AgentSshRemoteConfig | null | undefined,
  store: SshRemoteStoreAdapter,
  options: WrapSpawnOptions = {},
): Promise<SshSpawnWrapResult> {
  const spawnConfig = parseSshSpawnWrapConfig(config);
  const agent = agentSsh == null ? null : parseAgentSshRemoteConfig(agentSsh);
  let remote: SshRemoteConfig | null;
  try {
    remote = await resolveSshRemote(agent, store);
  } catch (error) {
    if (options.fallbackToLocal && error instanceof SshWrapError && error.code === 'REMOTE_NOT_FOUND') return localResult(spawnConfig);
    throw error;
  }
  if (remote === null) return localResult(spawnConfig);
  if (options.multiplex === undefined || options.multiplex === false) return wrapForRemote(spawnConfig, remote, agent?.workingDirOverride, options);
  // Loaded on demand: the pool does file and process I/O, which the pure wrap path never needs.
  const { defaultConnectionPool } = await import('../pool/index.js');
  const lease = await (options.connectionPool ?? defaultConnectionPool).acquire(remote, options.multiplex, {
    sshPath: options.sshPath,
    sshConfigFile: options.sshConfigFile,
    allowUnsafeOptions: options.allowUnsafeOptions,
  });
  lease.release();
  return wrapForRemote(spawnConfig, remote, agent?.workingDirOverride, {
    ...options,
    managedSshOptions: { ...lease.managedSshOptions, ...options.managedSshOptions },
  });
}

/**
 * The synchronous core of {@link wrapSpawnWithSsh} for an already-resolved remote: no store,
 * no `agentSsh`. Useful when the caller picks the remote itself.
 *
 * @example
 * ```ts
 * const wrapped = wrapForRemote(parseSshSpawnWrapConfig({ command: 'uname', args: ['-a'], cwd: '~' }), parseSshRemoteConfig(entry));
 * ```
 */
export function wrapForRemote(
  spawnConfig: ParsedSshSpawnWrapConfig,
  remote: SshRemoteConfig,
  workingDirOverride: string | undefined,
  options: WrapSpawnOptions = {},
): SshSpawnWrapResult {
  const threshold = positiveInt(options.promptStdinThreshold, DEFAULT_PROMPT_STDIN_THRESHOLD, 'promptStdinThreshold');
  const windows = remote.remotePlatform === 'windows';
  const maxCommandBytes = positiveInt(options.maxCommandBytes, windows ? DEFAULT_MAX_COMMAND_BYTES_WINDOWS : DEFAULT_MAX_COMMAND_BYTES, 'maxCommandBytes', KERNEL_ARG_LIMIT);
  const secretEnv = options.secretEnv ? parseEnvRecord(options.secretEnv, 'secretEnv') : {};
  if (windows && Object.keys(secretEnv).length > 0) {
    // PowerShell cannot read a line from stdin without buffering past it, so the prompt after it would be cut.
    throw new SshWrapError('INVALID_CONFIG', 'secretEnv is not supported for Windows remotes', {
      field: 'secretEnv',
      hint: 'Set the variable in the remote user environment on the Windows host, or pass it in customEnvVars.',
    });
  }
  const binary = spawnConfig.agentBinaryName ?? spawnConfig.command;
  if (binary.startsWith('-')) {
    throw new SshWrapError('UNSAFE_ARGUMENT', 'command must not start with "-" (the remote shell would read it as an option)', { field: 'command' });
  }
  const env: Record<string, string> = { ...remote.remoteEnv, ...spawnConfig.customEnvVars };
  for (const name of Object.keys(secretEnv)) delete env[name];
  const plan: Plan = { remote, binary, cwd: workingDirOverride ?? spawnConfig.cwd, env, secretEnv };

  const embeddedWords = promptWords(spawnConfig);
  assertNoNul(embeddedWords, 'promptArgs');
  const prompt = spawnConfig.prompt;
  const canEmbed = prompt === undefined || promptFitsThreshold(prompt, threshold);
  let args = [...spawnConfig.args, ...embeddedWords];
  let stdinPrompt: string | undefined;
  let remoteInvocation = canEmbed ? buildRemoteInvocation(plan, args, false, options) : undefined;
  if (remoteInvocation === undefined || commandBytes(remoteInvocation) > maxCommandBytes) {
    if (prompt !== undefined) {
      args = [...spawnConfig.args];
      stdinPrompt = prompt;
      remoteInvocation = buildRemoteInvocation(plan, args, true, options);
    }
    const bytes = commandBytes(remoteInvocation!);
    if (bytes > maxCommandBytes) {
      throw new SshWrapError(
        'COMMAND_TOO_LONG',
        `The remote command is ${bytes} bytes, above maxCommandBytes (${maxCommandBytes}) even without the prompt`,
        { field: 'args', hint: 'Pass large inputs through the prompt (delivered on stdin) or a file on the remote, not as arguments.' },
      );
    }
  }

  const secretLines = Object.keys(secretEnv).length > 0 ? encodeSecretLines(Object.values(secretEnv)) : '';
  const stdin = secretLines + (stdinPrompt ?? '');
  const sshArgs = buildSshArgs(remote, remoteInvocation, {
    managedOptions: options.managedSshOptions,
    allowUnsafeOptions: options.allowUnsafeOptions,
    configFile: options.sshConfigFile,
  });
  let display: string | undefined;
  const result: SshSpawnWrapResult = {
    command: options.sshPath ?? defaultSshPath(options.localPlatform),
    args: sshArgs,
    cwd: options.localCwd ?? homedir(),
    customEnvVars: undefined,
    prompt: stdinPrompt,
    sshRemoteUsed: withoutSecrets(remote),
    ...(stdinPrompt !== undefined && !secretLines ? { stdin } : {}),
    // Built on first read: most callers spawn without ever displaying it.
    get remoteCommand(): string {
      display ??= buildRemoteCommand({ command: binary, args, cwd: plan.cwd, env: { ...redactEnv(env), ...redactEnv(secretEnv, Object.keys(secretEnv)) } });
      return display;
    },
  };
  // With secretEnv, stdin carries the secret values: readable, but never serialised or spread.
  if (secretLines) Object.defineProperty(result, 'stdin', { value: stdin, enumerable: false, configurable: true });
  return result;
}
