export { testConnection } from './test-connection.js';
export { SshRemoteManager } from './manager.js';
export type { SshRemoteTestResult, TestConnectionOptions } from './types.js';
export { PROBE_SCRIPT, parseProbeOutput, type ProbeReport } from './probe.js';
