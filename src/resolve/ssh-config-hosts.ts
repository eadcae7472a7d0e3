import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import SSHConfig from 'ssh-config';
import { SshWrapError } from '../errors/index.js';

/** `*`, `?` and `!` make a Host value a pattern, not a name anyone can connect to. */
const PATTERN = /[*?!]|\s/;

/**
 * The user's ssh config file, the one ssh reads when no `-F` is given.
 *
 * @example
 * ```ts
 * defaultSshConfigFile(); // '/home/me/.ssh/config'
 * ```
 */
export function defaultSshConfigFile(): string {
  return path.join(os.homedir(), '.ssh', 'config');
}

function hostValues(value: unknown): string[] {
  // ssh-config gives one string for a single (possibly quoted) name, an array for several.
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.map((part: { val?: unknown }) => String(part.val ?? ''));
  return [];
}

/**
 * The concrete `Host` names written in an ssh config file, in file order, without duplicates:
 * `Host app db *.corp !bastion` lists `app` and `db`. Patterns and `Match` blocks are skipped.
 *
 * This reads the one file with the ssh-config package and follows nothing else, on purpose:
 * that package does not follow `Include`, expand `%` tokens or evaluate `Match`, so it is only
 * trusted to name the entries a user wrote. What a host resolves to comes from ssh itself
 * ({@link resolveSshConfigHost}).
 *
 * A missing ~/.ssh/config is an empty list; a missing `configFile` given explicitly is an error.
 *
 * @throws {SshWrapError} `INVALID_CONFIG` when an explicitly given file cannot be read or parsed.
 * @example
 * ```ts
 * await listSshConfigHosts();                   // ['gpu', 'db'] from ~/.ssh/config
 * await listSshConfigHosts('/etc/ssh/ssh_config');
 * ```
 */
export async function listSshConfigHosts(configFile?: string): Promise<string[]> {
  const file = configFile ?? defaultSshConfigFile();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (configFile === undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new SshWrapError('INVALID_CONFIG', `Cannot read ssh config file ${file}: ${(error as Error).message}`, { field: 'configFile', cause: error });
  }
  let parsed: SSHConfig;
  try {
    parsed = SSHConfig.parse(text);
  } catch (error) {
    throw new SshWrapError('INVALID_CONFIG', `Cannot parse ssh config file ${file}: ${(error as Error).message}`, { field: 'configFile', cause: error });
  }
  const names = new Set<string>();
  for (const line of parsed) {
    if (line.type !== SSHConfig.DIRECTIVE || line.param.toLowerCase() !== 'host') continue;
    for (const name of hostValues(line.value)) if (name && !PATTERN.test(name)) names.add(name);
  }
  return [...names];
}
