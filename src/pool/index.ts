export {
  MultiplexOptionSchema,
  MultiplexSettingsSchema,
  resolveMultiplexOption,
  DEFAULT_PERSIST_SECONDS,
  DEFAULT_MAX_SESSIONS_PER_MASTER,
  DEFAULT_MAX_CONCURRENT_PER_HOST,
  type MultiplexOption,
  type MultiplexSettings,
} from './multiplex-option.js';
export { ConnectionPool, defaultConnectionPool, closeAll, type AcquireOptions, type ConnectionPoolOptions, type PoolResource } from './connection-pool.js';
export type { Lease } from './lease.js';
export { checkMaster, exitMaster, type MasterStatus, type MasterCommandContext, type MasterControl, type MasterStartResult } from './master.js';
export { killRemoteProcessGroup, buildKillScript, type RemoteSignal, type KillRemoteOptions, type RemoteKillResult } from './kill-remote.js';
export { connectionFingerprint, controlPathTemplate, MAX_SOCKET_PATH_BYTES } from './control-path.js';
export { controlDirCandidates } from './control-dir.js';
export { Semaphore } from './semaphore.js';
export { acquireForAgent, retryOnFreshMaster, withLeaseOptions, type AgentLeaseOptions, type RunEnd } from './agent-lease.js';
