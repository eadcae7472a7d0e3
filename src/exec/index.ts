export { nodeExecutor, type SpawnExecutor, type SpawnExecutorOptions, type ChildProcessLike } from '../process/executor.js';
export { spawnWithSsh, type SpawnWithSshOptions, type SpawnWithSshResult } from './spawn.js';
export { runWithSsh, type RunWithSshOptions } from './run.js';
export type { SshRunResult } from './result.js';
export { SshRunError, runSucceeded } from './run-error.js';
export { StatusMarkerParser, createStatusMarkerStripper, randomMarkerToken, type StatusMarker, type StatusMarkerHandlers } from './markers.js';
export { writeStdin } from './stdin.js';
export { isEncryptedPrivateKey } from './private-key.js';
