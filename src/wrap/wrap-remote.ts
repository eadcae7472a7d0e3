import { SshWrapError } from '../errors/index.js';
import { utf8Length } from '../quoting/index.js';
import { assertKnownOptions, assertSshPathOption, optionKeys, parseEnvRecord, type ParsedSshSpawnWrapConfig, type SshRemoteConfig } from '../schemas/index.js';
import { DEFAULT_PROMPT_STDIN_THRESHOLD, promptFitsThreshold, promptWords } from './prompt.js';
import { REDACTED, splitEnvForTransport, withoutSecrets } from './redact.js';
import { buildRemoteCommand } from './remote-command.js';
import { anyShellCommand, buildRemoteScript, encodeSecretLines, type RemoteScriptSpec } from './remote-script.js';
import { buildSshArgs } from './ssh-args.js';
import { buildPowerShellScript, powerShellCommand } from './windows-script.js';
import type { RemoteWrapOptions, SshSpawnWrapResult } from './types.js';

const DEFAULT_MAX_COMMAND_BYTES = 100_000;
// cmd.exe, the default shell of Windows OpenSSH, refuses command lines over 8191 characters.
const DEFAULT_MAX_COMMAND_BYTES_WINDOWS = 8000;
// One argv string on Linux (MAX_ARG_STRLEN - 1); the remote sshd passes the command as one.
const KERNEL_ARG_LIMIT = 131_071;

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
  /** Exported inside the remote command (visible in the remote shell's argv). */
  env: Record<string, string>;
  /** Read from ssh's stdin before anything else; never on any argv. */
  stdinEnv: Record<string, string>;
}

/**
 * Whether the remote script watches ssh's stdin (see {@link RemoteWrapOptions.lifeline}). Not with
 * `keepStdin` (the agent's stdin is the caller's stream then, and its EOF ends the agent the normal
 * way) and not for Windows remotes (PowerShell cannot read stdin without buffering past a frame).
 */
function lifelineOn(remote: SshRemoteConfig, options: RemoteWrapOptions): boolean {
  return options.lifeline === true && !options.keepStdin && remote.remotePlatform !== 'windows';
}

function buildRemoteInvocation(plan: Plan, args: string[], stdinPrompt: boolean, options: RemoteWrapOptions): string {
  const lifeline = lifelineOn(plan.remote, options);
  const spec: RemoteScriptSpec = {
    command: plan.binary,
    args,
    cwd: plan.cwd,
    env: plan.env,
    remotePath: options.remotePath,
    remoteEnvironment: options.remoteEnvironment,
    stdinEnvNames: Object.keys(plan.stdinEnv),
    commandStdin: lifeline ? (stdinPrompt ? 'framed' : 'null') : stdinPrompt || options.keepStdin ? 'inherit' : 'null',
    statusMarker: options.statusMarker,
    frameOutput: options.frameOutput,
    lifeline,
  };
  if (plan.remote.remotePlatform === 'windows') return powerShellCommand(buildPowerShellScript(spec));
  const script = buildRemoteScript(spec);
  return options.shell === 'posix' ? script : anyShellCommand(script);
}

/** Where a wrap result keeps its `stdin` as pieces (see {@link stdinParts}). @internal */
const STDIN_PARTS = Symbol('sshwrap.stdinParts');

/**
 * `wrapped.stdin` as the pieces it was joined from (env lines, prompt header, prompt), so a
 * writer can stream a large prompt without flattening the joined string. @internal
 */
export function stdinParts(wrapped: SshSpawnWrapResult): readonly string[] | undefined {
  return (wrapped as { [STDIN_PARTS]?: readonly string[] })[STDIN_PARTS] ?? (wrapped.stdin === undefined ? undefined : [wrapped.stdin]);
}

/** The keys of {@link RemoteWrapOptions}, as an object so option types built on it can extend it. @internal */
export const REMOTE_WRAP_KEYS = {
  sshPath: true,
  localCwd: true,
  promptStdinThreshold: true,
  maxCommandBytes: true,
  shell: true,
  keepStdin: true,
  remotePath: true,
  remoteEnvironment: true,
  secretEnv: true,
  envOnStdin: true,
  statusMarker: true,
  frameOutput: true,
  lifeline: true,
  managedSshOptions: true,
  allowUnsafeOptions: true,
  sshConfigFile: true,
  localPlatform: true,
} as const;
/** Every key of {@link RemoteWrapOptions}; anything else is refused as a likely typo. */
export const REMOTE_WRAP_OPTION_KEYS = optionKeys<RemoteWrapOptions>()(REMOTE_WRAP_KEYS);

const ENV_ON_STDIN = ['secrets', 'all', 'none'];

/** Which env goes where: the caller's `secretEnv` always on stdin, the rest as `envOnStdin` says. */
function envPlan(spawnConfig: ParsedSshSpawnWrapConfig, remote: SshRemoteConfig, options: RemoteWrapOptions): Pick<Plan, 'env' | 'stdinEnv'> {
  const mode = options.envOnStdin ?? 'secrets';
  if (!ENV_ON_STDIN.includes(mode)) {
    throw new SshWrapError('INVALID_CONFIG', `envOnStdin must be one of ${ENV_ON_STDIN.map((m) => `'${m}'`).join(', ')}`, { field: 'envOnStdin' });
  }
  const secretEnv = options.secretEnv ? parseEnvRecord(options.secretEnv, 'secretEnv') : {};
  const merged: Record<string, string> = { ...remote.remoteEnv, ...spawnConfig.customEnvVars };
  for (const name of Object.keys(secretEnv)) delete merged[name];
  const split = splitEnvForTransport(merged, mode);
  const stdinEnv = { ...split.stdin, ...secretEnv };
  if (remote.remotePlatform === 'windows' && Object.keys(stdinEnv).length > 0) {
    // PowerShell cannot read a line from stdin without buffering past it, so the prompt after it would be cut.
    const field = Object.keys(secretEnv).length > 0 ? 'secretEnv' : 'envOnStdin';
    throw new SshWrapError('INVALID_CONFIG', `Env values on stdin (${Object.keys(stdinEnv).join(', ')}) are not supported for Windows remotes`, {
      field,
      hint: "Set the variables in the remote user's environment on the Windows host, or pass envOnStdin: 'none' to put them on the command line (visible to other users in the process list).",
    });
  }
  return { env: split.commandLine, stdinEnv };
}

/**
 * The pure core of `wrapSpawnWithSsh` for an already-resolved remote: no store, no `agentSsh`,
 * no I/O, no defaults read from the OS (`sshPath` and `localCwd` are required). Runs anywhere a
 * JavaScript engine does.
 *
 * @throws {SshWrapError} `INVALID_CONFIG` (unknown option key, bad limits, env on stdin for a
 *   Windows remote), `UNSAFE_ARGUMENT`, `COMMAND_TOO_LONG`.
 * @example
 * ```ts
 * const wrapped = wrapForRemote(
 *   parseSshSpawnWrapConfig({ command: 'uname', args: ['-a'], cwd: '~' }),
 *   parseSshRemoteConfig({ id: 'gpu-1', host: 'gpu.example.com' }),
 *   undefined,
 *   { sshPath: 'ssh', localCwd: '/home/me' },
 * );
 * ```
 */
export function wrapForRemote(
  spawnConfig: ParsedSshSpawnWrapConfig,
  remote: SshRemoteConfig,
  workingDirOverride: string | undefined,
  options: RemoteWrapOptions,
): SshSpawnWrapResult {
  assertKnownOptions(options, REMOTE_WRAP_OPTION_KEYS, 'wrap options');
  for (const field of ['sshPath', 'localCwd'] as const) {
    if (typeof options[field] !== 'string' || options[field] === '') {
      throw new SshWrapError('INVALID_CONFIG', `${field} is required (the pure core reads nothing from the local machine)`, { field });
    }
  }
  assertSshPathOption(options.sshPath, 'sshPath');
  return wrapRemoteUnchecked(spawnConfig, remote, workingDirOverride, options);
}

/**
 * {@link wrapForRemote} without the option-key check, for callers inside sshwrap that built
 * `options` themselves from checked input.
 * @internal
 */
export function wrapRemoteUnchecked(
  spawnConfig: ParsedSshSpawnWrapConfig,
  remote: SshRemoteConfig,
  workingDirOverride: string | undefined,
  options: RemoteWrapOptions,
): SshSpawnWrapResult {
  const threshold = positiveInt(options.promptStdinThreshold, DEFAULT_PROMPT_STDIN_THRESHOLD, 'promptStdinThreshold');
  const windows = remote.remotePlatform === 'windows';
  const maxCommandBytes = positiveInt(options.maxCommandBytes, windows ? DEFAULT_MAX_COMMAND_BYTES_WINDOWS : DEFAULT_MAX_COMMAND_BYTES, 'maxCommandBytes', KERNEL_ARG_LIMIT);
  const binary = spawnConfig.agentBinaryName ?? spawnConfig.command;
  if (binary.startsWith('-')) {
    throw new SshWrapError('UNSAFE_ARGUMENT', 'command must not start with "-" (the remote shell would read it as an option)', { field: 'command' });
  }
  const plan: Plan = { remote, binary, cwd: workingDirOverride ?? spawnConfig.cwd, ...envPlan(spawnConfig, remote, options) };

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

  const envLines = Object.keys(plan.stdinEnv).length > 0 ? encodeSecretLines(Object.values(plan.stdinEnv)) : '';
  const lifeline = lifelineOn(remote, options);
  // With the lifeline the prompt is framed (its byte length on a line first): stdin stays open
  // after it, so the remote script cannot wait for EOF to know where the prompt ends.
  const promptHeader = stdinPrompt !== undefined && lifeline ? `${utf8Length(stdinPrompt)}\n` : '';
  const stdin = envLines + promptHeader + (stdinPrompt ?? '');
  const sshArgs = buildSshArgs(remote, remoteInvocation, {
    managedOptions: options.managedSshOptions,
    allowUnsafeOptions: options.allowUnsafeOptions,
    configFile: options.sshConfigFile,
    sshPath: options.sshPath,
    localPlatform: options.localPlatform,
  });
  let display: string | undefined;
  const result: SshSpawnWrapResult = {
    command: options.sshPath,
    args: sshArgs,
    cwd: options.localCwd,
    customEnvVars: undefined,
    // Never the prompt for an ssh result: a caller that appends a defined `prompt` to the argv
    // (Maestro's process manager does) would put it on the remote command line unquoted.
    prompt: undefined,
    sshRemoteUsed: withoutSecrets(remote),
    ...(options.statusMarker !== undefined ? { statusMarker: options.statusMarker } : {}),
    ...(options.frameOutput ? { frameOutput: true } : {}),
    ...(lifeline ? { lifeline: true } : {}),
    ...(stdin !== '' && !envLines ? { stdin } : {}),
    // Built on first read: most callers spawn without ever displaying it. It redacts exactly
    // the values that are not on the command line.
    get remoteCommand(): string {
      const shown = { ...plan.env, ...Object.fromEntries(Object.keys(plan.stdinEnv).map((name) => [name, REDACTED])) };
      display ??= buildRemoteCommand({ command: binary, args, cwd: plan.cwd, env: shown });
      return display;
    },
  };
  // With env values on stdin, stdin carries them: readable, but never serialised or spread.
  if (envLines) Object.defineProperty(result, 'stdin', { value: stdin, enumerable: false, configurable: true });
  // The same bytes in pieces, for the runners: `stdin` joins a header to a 10 MB prompt, and
  // writing it in slices would make the engine flatten (copy) the joined string.
  if (stdin !== '') Object.defineProperty(result, STDIN_PARTS, { value: [envLines, promptHeader, stdinPrompt ?? ''].filter((part) => part !== ''), enumerable: false });
  return result;
}
