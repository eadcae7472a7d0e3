import { z } from 'zod';
import { noNul } from './fields.js';

/**
 * Per-agent SSH settings: whether to run remotely, on which remote, in which directory.
 *
 * @example
 * ```ts
 * const agentSsh = AgentSshRemoteConfigSchema.parse({ enabled: true, remoteId: 'gpu-1', workingDirOverride: '~/src/app' });
 * ```
 */
export const AgentSshRemoteConfigSchema = z.object({
  /** Run this agent over SSH. */
  enabled: z.boolean(),
  /** Id of the remote in the store; `null` means local. */
  remoteId: z.string().nullable(),
  /** Remote working directory to use instead of the spawn's `cwd` (`~` and `~/` are expanded remotely). */
  workingDirOverride: noNul('workingDirOverride').optional(),
});

/** A validated {@link AgentSshRemoteConfigSchema}. */
export type AgentSshRemoteConfig = z.output<typeof AgentSshRemoteConfigSchema>;
