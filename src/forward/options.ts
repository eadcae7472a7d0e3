import { z } from 'zod';
import type { ConnectionPool } from '../pool/index.js';
import type { SpawnExecutor } from '../process/executor.js';
import { sshPathField } from '../schemas/fields.js';

/** Options every forwarding call takes (zod shape, spread into each call's schema). @internal */
export const forwardCommonShape = {
  /** Bound on setting up one connection (connect, authenticate, forwards in place), in ms. @default 30000 */
  timeoutMs: z.number().int().positive({ message: 'timeoutMs: a positive number of milliseconds' }).optional(),
  /** ssh client binary. @default 'ssh' */
  sshPath: sshPathField('sshPath').optional(),
  /** `-F` file for `useSshConfig` remotes. @default undefined (~/.ssh/config) */
  sshConfigFile: sshPathField('sshConfigFile').optional(),
  /** Command-executing customOptions allowed for this remote (as for runs). @default [] */
  allowUnsafeOptions: z.array(z.string()).optional(),
};

/**
 * The options every forwarding call takes besides its own: how its ssh processes start and which
 * pool's `closeAll()` closes it.
 *
 * @example
 * ```ts
 * const options: ForwardProcessOptions = { executor: nodeExecutor, connectionPool: new ConnectionPool() };
 * ```
 */
export interface ForwardProcessOptions {
  /** Starts every ssh of the forward. @default nodeExecutor */
  executor?: SpawnExecutor | undefined;
  /** Environment of the local ssh processes (SSH_AUTH_SOCK, SSH_ASKPASS). @default process.env */
  env?: NodeJS.ProcessEnv | undefined;
  /** The pool whose `closeAll()` closes this forward. @default defaultConnectionPool */
  connectionPool?: ConnectionPool | undefined;
}

/** The keys of {@link forwardCommonShape} and {@link ForwardProcessOptions}, for each call's key list. @internal */
export const FORWARD_COMMON_KEYS = {
  timeoutMs: true,
  sshPath: true,
  sshConfigFile: true,
  allowUnsafeOptions: true,
  executor: true,
  env: true,
  connectionPool: true,
} as const;
