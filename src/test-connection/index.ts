export { testConnection } from './test-connection.js';
export { SshRemoteManager } from './manager.js';
export type { SshRemoteTestResult, TestConnectionOptions } from './types.js';
