import { z } from 'zod';
import { envRecord, noNul } from './fields.js';

/**
 * The local spawn to run remotely: exactly what an app would pass to Node's `spawn`.
 * Strict: this is code, not stored data, so an unknown key (`images`, `promptArg`) is an error
 * rather than an option silently ignored.
 *
 * @example
 * ```ts
 * const config: SshSpawnWrapConfig = {
 *   command: '/usr/local/bin/claude', args: ['--print'], cwd: '/path/to/project',
 *   prompt: 'Hello, Claude!', agentBinaryName: 'claude',
 * };
 * ```
 */
export const SshSpawnWrapConfigSchema = z.strictObject({
  /** Command to execute (locally: a path or a name on PATH). */
  command: noNul('command').min(1, { message: 'command must not be empty' }),
  /** Arguments, passed through byte-exact. */
  args: z.array(noNul('args[]')).default([]),
  /** Working directory (remotely: `~` and `~/` are expanded against the remote $HOME). */
  cwd: noNul('cwd'),
  /** Prompt for the agent: appended as the last argument, or sent on stdin when large. */
  prompt: noNul('prompt').optional(),
  /** Environment variables for the process (remotely: exported inside the remote script). */
  customEnvVars: envRecord('customEnvVars').optional(),
  /** Builds the prompt arguments instead of `-- <prompt>` (e.g. `p => ['-p', p]`). */
  promptArgs: z.custom<(prompt: string) => string[]>((value) => typeof value === 'function', {
    message: 'promptArgs must be a function',
  }).optional(),
  /** Append the prompt without a `--` separator. */
  noPromptSeparator: z.boolean().optional(),
  /** Binary to run on the remote instead of `command` (local paths rarely exist remotely). */
  agentBinaryName: noNul('agentBinaryName').min(1).optional(),
});

/**
 * A local spawn description (see {@link SshSpawnWrapConfigSchema}).
 *
 * @example
 * ```ts
 * const config: SshSpawnWrapConfig = { command: 'claude', args: ['--print'], cwd: '~/app', prompt: 'Fix the test' };
 * ```
 */
export type SshSpawnWrapConfig = z.input<typeof SshSpawnWrapConfigSchema>;
/**
 * {@link SshSpawnWrapConfig} after validation (`args` defaulted).
 *
 * @example
 * ```ts
 * const parsed: ParsedSshSpawnWrapConfig = parseSshSpawnWrapConfig({ command: 'claude', args: [], cwd: '~' });
 * ```
 */
export type ParsedSshSpawnWrapConfig = z.output<typeof SshSpawnWrapConfigSchema>;
