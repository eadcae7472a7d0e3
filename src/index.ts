// The main entry: what the README's API table documents, nothing else. The pure building blocks
// (quoting, encoders, builders) are in `sshwrap/core`; internals are exported from no entry.
// test/package/exports.test.ts pins this list: adding or removing a name is a deliberate act.

// Run a spawn on a remote
export { wrapSpawnWithSsh, spawnWithSsh, runWithSsh, runSucceeded, SshRunError, nodeExecutor, createOutputDeframer } from './exec/index.js';
export type {
  WrapSpawnOptions,
  SpawnWithSshOptions,
  SpawnWithSshResult,
  RunWithSshOptions,
  SshRunResult,
  LoginOutput,
  SshRunEvent,
  LineCallbacks,
  SpawnExecutor,
  SpawnExecutorOptions,
  ChildProcessLike,
} from './exec/index.js';
export type { SshSpawnWrapResult, RemotePathMode, RemoteEnvironment, EnvOnStdin, RemoteScriptEvent } from './wrap/index.js';
export type { StopReason } from './exec/terminate/index.js';
export type { RetryOption } from './exec/retry.js';
export { isSecretEnvName, DEFAULT_SSH_OPTIONS } from './wrap/index.js';

// Detached runs: survive the client, re-attach, replay
export {
  startDetached,
  attachDetached,
  detachedStatus,
  listDetached,
  cancelDetached,
  pruneDetached,
  DetachedRunError,
  type DetachedRun,
  type DetachedRunRef,
  type DetachedRunState,
  type DetachedRunStatus,
  type DetachedAttachResult,
  type DetachedRemoteOptions,
  type StartDetachedOptions,
  type AttachDetachedOptions,
  type CancelDetachedOptions,
  type PruneDetachedOptions,
} from './detached/index.js';

// Inputs and errors
export { SshWrapError, type SshWrapErrorCode } from './errors/index.js';
export {
  SshRemoteConfigSchema,
  AgentSshRemoteConfigSchema,
  SshSpawnWrapConfigSchema,
  parseSshRemoteConfig,
  parseAgentSshRemoteConfig,
  parseSshSpawnWrapConfig,
  type SshRemoteConfig,
  type SshRemoteConfigInput,
  type JumpHost,
  type JumpHostObject,
  type AgentSshRemoteConfig,
  type SshSpawnWrapConfig,
  type ParsedSshSpawnWrapConfig,
} from './schemas/index.js';

// Where remotes come from
export {
  createSshRemoteStoreAdapter,
  createMemoryStoreAdapter,
  resolveSshRemote,
  toStorableRemote,
  resolveSshConfigHost,
  clearSshConfigCache,
  listSshConfigHosts,
  describeEffectiveRemote,
  type SshRemoteStoreAdapter,
  type WritableSshRemoteStoreAdapter,
  type SshRemoteStoreAdapterOptions,
  type SettingsStoreAdapterOptions,
  type SettingsStoreLike,
  type SshConfigHost,
  type ResolveSshConfigOptions,
  type EffectiveRemote,
} from './resolve/index.js';

// Failures, checks, agents
export { classifySshFailure, SSH_FAILURE_KINDS, SSH_FAILURE_HINTS, type SshFailureKind, type SshFailure, type SshFailureInput } from './classify/index.js';
export { testConnection, SshRemoteManager, type SshRemoteTestResult, type TestConnectionOptions } from './test-connection/index.js';
export { groomContext, registerAgent, listAgents, type GroomContextOptions, type AgentDefinition } from './groom/index.js';

// Connection reuse and passphrases
export {
  ConnectionPool,
  defaultConnectionPool,
  closeAll,
  type ConnectionPoolOptions,
  type AcquireOptions,
  type PoolResource,
  type Lease,
  type MultiplexOption,
  type MultiplexSettings,
  type MasterControl,
  type MasterCommandContext,
  type MasterStatus,
  type MasterStartResult,
} from './pool/index.js';
export { createAskpass, passphraseAskpass, type Askpass, type AskpassOptions, type AskpassRequest } from './auth/index.js';

// Fleets: host facts, placement, fan-out (docs/fleet.md)
export {
  probeHost,
  pickHost,
  runOnMany,
  HostFactsCache,
  HostFactsSchema,
  NoSuitableHostError,
  type FactsCacheKey,
  type HostFacts,
  type GpuFacts,
  type ProbeHostOptions,
  type PickHostOptions,
  type HostNeed,
  type HostRejection,
  type PlacementStrategy,
  type FleetTarget,
  type FleetJob,
  type FleetEvent,
  type FleetRunResult,
  type FleetRunOptions,
  type RunOnManyOptions,
} from './fleet/index.js';

// Port forwarding and a channel back (docs/forwarding.md); terminal tabs
export {
  forwardPort,
  forwardSocketToRemote,
  SshForwardError,
  type ForwardPortOptions,
  type PortForward,
  type ForwardSocketOptions,
  type SocketForward,
  type ForwardProcessOptions,
} from './forward/index.js';
export { wrapInteractiveShell, type InteractiveShellOptions, type InteractiveShellSpawn } from './wrap/index.js';
// Files: transfer and remote file trees over the command channel (docs/files.md)
export {
  uploadFile,
  downloadFile,
  remoteFs,
  RemoteFileError,
  type TransferOptions,
  type TransferResult,
  type RemoteFs,
  type RemoteFsOptions,
  type RemoteFileErrorCode,
  type RemoteDirEntry,
  type RemoteFileStat,
  type RemoteFileType,
  type Attachment,
  type AttachmentOptions,
} from './files/index.js';
