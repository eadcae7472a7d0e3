import { z } from 'zod';
import { emptyMeansUnset, envName, envRecord, noNul, remoteCommandField, sshOptionsRecord, sshPathField, statusMarkerField } from './fields.js';
import { parseWith } from './parse.js';

// The exported builders (buildRemoteCommand, buildRemoteScript, buildPowerShellScript,
// buildSshArgs, ...) can be called with data that never went through the config schemas, so they
// check it by the same field rules before turning it into shell or ssh syntax.

const remoteCommandShape = {
  command: remoteCommandField('command'),
  args: z.array(noNul('args[]')),
  cwd: noNul('cwd').optional(),
  env: envRecord('env').optional(),
};

/** Input of `buildRemoteCommand`. @internal */
export const RemoteCommandSpecSchema = z.object(remoteCommandShape);

/**
 * `remoteEnvironment`: `'default'` (no startup file read), `'login'` (capture the login shell's
 * environment, bounded by 10 s), or `{ mode: 'login', timeoutSeconds }` for another bound. Whole
 * seconds because POSIX `sleep` takes no fractions. @internal
 */
export const RemoteEnvironmentSchema = z.union([
  z.enum(['default', 'login']),
  z.strictObject({
    mode: z.literal('login'),
    timeoutSeconds: z.number().int().min(1).max(3600).optional(),
  }),
]);

/** Input of `buildRemoteScript` and `buildPowerShellScript`. @internal */
export const RemoteScriptSpecSchema = z.object({
  ...remoteCommandShape,
  remotePath: z.union([z.enum(['augment', 'inherit']), z.array(noNul('remotePath[]'))]).optional(),
  stdinEnvNames: z.array(envName('stdinEnvNames[]')).optional(),
  commandStdin: z.enum(['inherit', 'null', 'framed']).optional(),
  statusMarker: statusMarkerField('statusMarker').optional(),
  frameOutput: z.boolean().optional(),
  lifeline: z.boolean().optional(),
  remoteEnvironment: RemoteEnvironmentSchema.optional(),
}).refine((spec) => !spec.frameOutput || spec.statusMarker !== undefined, {
  message: 'frameOutput needs a statusMarker token (the frame line carries it)',
  path: ['frameOutput'],
}).refine((spec) => spec.lifeline ? spec.commandStdin !== 'inherit' : spec.commandStdin !== 'framed', {
  // With the lifeline, ssh's stdin never ends while the owner lives: a command reading it directly
  // would wait forever. A framed stdin block only exists on the lifeline.
  message: "lifeline needs commandStdin 'null' or 'framed', and 'framed' needs lifeline",
  path: ['commandStdin'],
});

/** `buildSshArgs`'s remote command and options. @internal */
export const SshArgsInputSchema = z.object({
  remoteCommand: noNul('remoteCommand').optional(),
  managedOptions: sshOptionsRecord('managedOptions').optional(),
  allowUnsafeOptions: z.array(z.string()).optional(),
  configFile: emptyMeansUnset(sshPathField('configFile')),
  sshPath: emptyMeansUnset(sshPathField('sshPath')),
  localPlatform: z.string().optional(),
});

/** @internal */
export type ValidRemoteCommandSpec = z.output<typeof RemoteCommandSpecSchema>;
/** @internal */
export type ValidRemoteScriptSpec = z.output<typeof RemoteScriptSpecSchema>;
/** @internal */
export type ValidSshArgsInput = z.output<typeof SshArgsInputSchema>;

/** @throws {SshWrapError} `INVALID_CONFIG` or `UNSAFE_ARGUMENT` naming the field. @internal */
export function parseRemoteCommandSpec(spec: unknown): ValidRemoteCommandSpec {
  return parseWith(RemoteCommandSpecSchema, spec, 'remote command');
}

/** @throws {SshWrapError} `INVALID_CONFIG` or `UNSAFE_ARGUMENT` naming the field. @internal */
export function parseRemoteScriptSpec(spec: unknown): ValidRemoteScriptSpec {
  return parseWith(RemoteScriptSpecSchema, spec, 'remote script');
}

/** @throws {SshWrapError} `INVALID_CONFIG` or `UNSAFE_ARGUMENT` naming the field. @internal */
export function parseSshArgsInput(input: unknown): ValidSshArgsInput {
  return parseWith(SshArgsInputSchema, input, 'ssh arguments');
}

/**
 * One value checked against one field rule, the error naming `field`.
 *
 * @throws {SshWrapError} `INVALID_CONFIG` or `UNSAFE_ARGUMENT` with `field` set.
 * @internal
 */
export function parseValue<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  return parseWith(schema, value, field, field);
}
