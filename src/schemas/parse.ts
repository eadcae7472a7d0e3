import type { z } from 'zod';
import { SshWrapError } from '../errors/index.js';
import { isProducedRemote, SshRemoteConfigSchema, type SshRemoteConfig } from './remote-config.js';
import { AgentSshRemoteConfigSchema, type AgentSshRemoteConfig } from './agent-ssh-config.js';
import { emptyMeansUnset, envRecord, sshPathField } from './fields.js';
import { closestKey } from './option-keys.js';
import { SshSpawnWrapConfigSchema, type ParsedSshSpawnWrapConfig } from './spawn-wrap-config.js';

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((part) => (typeof part === 'number' ? `[${part}]` : String(part))).join('.').replace(/\.\[/g, '[');
}

/**
 * A union's failure as the issues of the branch the value was meant for: `jumpHosts` entries
 * are strings or objects, and "Invalid input" would hide which hop field broke which rule (and
 * that it was a security refusal). The branch is the one that did not fail on the value's type.
 */
function withUnionsOpened(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
    const meant = issue.errors.filter((branch) => !branch.every((inner) => inner.code === 'invalid_type' && inner.path.length === 0));
    if (meant.length !== 1) return [issue];
    return withUnionsOpened(meant[0]!.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }) as z.core.$ZodIssue));
  });
}

/**
 * Turns a zod failure into an {@link SshWrapError} whose message names the field.
 * A failure flagged as a security problem wins: `UNSAFE_ARGUMENT` over `INVALID_CONFIG`.
 * `root` names the value itself when it is not an object (its issues have an empty path).
 */
export function toSshWrapError(error: z.ZodError, subject: string, root?: string, knownKeys?: () => readonly string[]): SshWrapError {
  const issues = withUnionsOpened(error.issues);
  const unsafe = issues.find(
    (issue) => issue.code === 'custom' && (issue.params as { sshwrapCode?: string } | undefined)?.sshwrapCode === 'UNSAFE_ARGUMENT',
  );
  const first = unsafe ?? issues[0];
  const pathOf = (path: readonly PropertyKey[]): string => formatPath(root === undefined ? path : [root, ...path]);
  let field = first ? pathOf(first.path) : undefined;
  const details = issues
    .map((issue) => {
      // zod reports a bad record key as "Invalid key in record"; the rule the key broke is inside.
      if (issue.code === 'invalid_key') return `${pathOf(issue.path) || '(root)'}: ${issue.issues.map((inner) => inner.message).join('; ')}`;
      if (issue.code !== 'unrecognized_keys') return `${pathOf(issue.path) || '(root)'}: ${issue.message}`;
      // A strict (code, not stored data) object: name the key and the likely intended one.
      const known = knownKeys?.() ?? [];
      return issue.keys
        .map((key) => {
          const suggestion = closestKey(key, known);
          return `unknown key "${key}"${suggestion ? ` (did you mean ${suggestion}?)` : ''}`;
        })
        .join('; ');
    })
    .join('; ');
  if (first?.code === 'unrecognized_keys') field = pathOf([...first.path, first.keys[0]!]);
  return new SshWrapError(unsafe ? 'UNSAFE_ARGUMENT' : 'INVALID_CONFIG', `Invalid ${subject}: ${details}`, {
    ...(field ? { field } : {}),
    cause: error,
  });
}

/**
 * `schema.parse(input)`, failing with an {@link SshWrapError} (see {@link toSshWrapError}).
 * @internal
 */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown, subject: string, root?: string): T {
  const result = schema.safeParse(input);
  if (!result.success) {
    const shape = (schema as { shape?: Record<string, unknown> }).shape;
    throw toSshWrapError(result.error, subject, root, () => Object.keys(shape ?? {}));
  }
  return result.data;
}

/**
 * Validates a stored remote and fills its defaults. Unknown keys are ignored.
 *
 * @throws {SshWrapError} `INVALID_CONFIG`, or `UNSAFE_ARGUMENT` for values ssh would misread.
 * @example
 * ```ts
 * const remote = parseSshRemoteConfig({ id: 'gpu-1', name: 'GPU', host: 'gpu-server', useSshConfig: true });
 * remote.port; // 22
 * ```
 */
export function parseSshRemoteConfig(input: unknown): SshRemoteConfig {
  // A remote the schema produced is frozen, so it still holds what was validated.
  if (isProducedRemote(input)) return input;
  return parseWith(SshRemoteConfigSchema, input, 'SSH remote config');
}

/**
 * Validates per-agent SSH settings.
 *
 * @example
 * ```ts
 * parseAgentSshRemoteConfig({ enabled: true, remoteId: 'gpu-1' });
 * ```
 */
export function parseAgentSshRemoteConfig(input: unknown): AgentSshRemoteConfig {
  return parseWith(AgentSshRemoteConfigSchema, input, 'agent SSH config');
}

/**
 * Validates a spawn description before it is wrapped.
 *
 * @example
 * ```ts
 * parseSshSpawnWrapConfig({ command: 'claude', args: ['--print'], cwd: '/srv/app' });
 * ```
 */
export function parseSshSpawnWrapConfig(input: unknown): ParsedSshSpawnWrapConfig {
  // A result of this function passed back in is not scanned again (the run path parses once and
  // wraps with the result; a 100 MB prompt costs ~10 ms per NUL scan). It is frozen, so it
  // cannot have changed since.
  if (typeof input === 'object' && input !== null && VALIDATED.has(input)) return input as ParsedSshSpawnWrapConfig;
  const parsed = Object.freeze(parseWith(SshSpawnWrapConfigSchema, input, 'spawn config'));
  Object.freeze(parsed.args);
  if (parsed.customEnvVars) Object.freeze(parsed.customEnvVars);
  VALIDATED.add(parsed);
  return parsed;
}

const VALIDATED = new WeakSet<object>();

/**
 * Validates an env map (POSIX names, no NUL in values); `label` names it in errors.
 *
 * @example
 * ```ts
 * parseEnvRecord({ API_KEY: 'sk-1' }, 'secretEnv');
 * ```
 */
export function parseEnvRecord(input: unknown, label: string): Record<string, string> {
  return parseWith(envRecord(label), input, label, label);
}

const OPTIONAL_SSH_PATH = new Map<string, z.ZodType<string | undefined>>();

/**
 * Checks a local path option that reaches ssh's command line (`sshConfigFile` as `-F`, ...) by
 * the rule of the remote's path fields: no leading `-`, no newline, no NUL. `undefined` and `''`
 * mean "not set" and pass.
 *
 * @throws {SshWrapError} `UNSAFE_ARGUMENT` with `field` set to `field`.
 * @example
 * ```ts
 * assertSshPathOption(options.sshConfigFile, 'sshConfigFile');
 * assertSshPathOption('-oProxyCommand=x', 'sshConfigFile'); // throws UNSAFE_ARGUMENT
 * ```
 */
export function assertSshPathOption(value: unknown, field: string): asserts value is string | undefined {
  let schema = OPTIONAL_SSH_PATH.get(field);
  if (schema === undefined) {
    schema = emptyMeansUnset(sshPathField(field));
    if (OPTIONAL_SSH_PATH.size < 64) OPTIONAL_SSH_PATH.set(field, schema);
  }
  parseWith(schema, value, 'option', field);
}
