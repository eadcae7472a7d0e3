export { SshRemoteConfigSchema, type SshRemoteConfig, type SshRemoteConfigInput } from './remote-config.js';
export { AgentSshRemoteConfigSchema, type AgentSshRemoteConfig } from './agent-ssh-config.js';
export { SshSpawnWrapConfigSchema, type SshSpawnWrapConfig, type ParsedSshSpawnWrapConfig } from './spawn-wrap-config.js';
export { parseSshRemoteConfig, parseAgentSshRemoteConfig, parseSshSpawnWrapConfig, parseEnvRecord, toSshWrapError, assertSshPathOption } from './parse.js';
export { assertKnownOptions, assertNonNegative, closestKey, optionKeys } from './option-keys.js';
export { ENV_NAME, type JumpHost, type JumpHostObject } from './fields.js';
