// `sshwrap/core`: the pure building blocks. No I/O, no `process` reads, nothing from exec/,
// pool/, resolve/ or the CLI (test/pure-core.test.ts enforces it), so it runs in any JavaScript
// runtime. Everything local (ssh client path, local cwd) is passed in by the caller.

export { SshWrapError, type SshWrapErrorCode } from './errors/index.js';
export {
  SshRemoteConfigSchema,
  AgentSshRemoteConfigSchema,
  SshSpawnWrapConfigSchema,
  parseSshRemoteConfig,
  parseAgentSshRemoteConfig,
  parseSshSpawnWrapConfig,
  parseEnvRecord,
  type SshRemoteConfig,
  type SshRemoteConfigInput,
  type AgentSshRemoteConfig,
  type SshSpawnWrapConfig,
  type ParsedSshSpawnWrapConfig,
} from './schemas/index.js';
export { quotePosix, encodeForAnyShell, quoteWindowsArg, quotePowerShell, encodePowerShellCommand } from './quoting/index.js';
export {
  wrapForRemote,
  buildSshArgs,
  buildRemoteScript,
  buildRemoteCommand,
  buildPowerShellScript,
  anyShellCommand,
  powerShellCommand,
  encodeSecretLines,
  mergeSshOptions,
  sshDestination,
  defaultSshPath,
  isSecretEnvName,
  splitEnvForTransport,
  remotePathLines,
  AUGMENTED_PATH_DIRS,
  DEFAULT_SSH_OPTIONS,
  SSHWRAP_SSH_OPTIONS,
  COMMAND_EXECUTING_OPTIONS,
  DEFAULT_PROMPT_STDIN_THRESHOLD,
  type RemoteWrapOptions,
  type SshSpawnWrapResult,
  type BuildSshArgsOptions,
  type RemoteScriptSpec,
  type RemoteCommandSpec,
  type RemotePathMode,
  type RemoteEnvironment,
  type EnvOnStdin,
} from './wrap/index.js';
