import { z } from 'zod';
import { emptyMeansUnset, noNul, withoutUnsetKeys } from './fields.js';

/**
 * Per-agent SSH settings: whether to run remotely, on which remote, in which directory.
 * `workingDirOverride: ''` means "not set" (the spawn's own `cwd` is used): the output has no such key.
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
  workingDirOverride: emptyMeansUnset(noNul('workingDirOverride')),
}).transform(withoutUnsetKeys);

/**
 * A validated {@link AgentSshRemoteConfigSchema}.
 *
 * @example
 * ```ts
 * const agentSsh: AgentSshRemoteConfig = { enabled: true, remoteId: 'gpu-1', workingDirOverride: '/home/dev/project' };
 * ```
 */
export type AgentSshRemoteConfig = z.output<typeof AgentSshRemoteConfigSchema>;
