import { z } from 'zod';
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
