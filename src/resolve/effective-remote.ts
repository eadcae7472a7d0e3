import os from 'node:os';
import { parseSshRemoteConfig, type SshRemoteConfig } from '../schemas/index.js';
import { assertKnownOptions } from '../schemas/option-keys.js';
import { sshDestination } from '../wrap/ssh-args.js';
import { RESOLVE_OPTION_KEYS, runSshG, type ResolveSshConfigOptions } from './ssh-config.js';

/**
 * Where ssh will actually log in for a remote.
 *
 * @example
 * ```ts
 * const { user, hostname, port }: EffectiveRemote = await describeEffectiveRemote(remote);
 * ```
 */
export interface EffectiveRemote {
  /** Login name. */
  user: string;
  /** Host ssh connects to (after `HostName`). */
  hostname: string;
  /** TCP port. */
  port: number;
  /** `'ssh-config'`: resolved by `ssh -G` (useSshConfig: true); `'remote-config'`: read from the remote itself. */
  source: 'ssh-config' | 'remote-config';
}

// The only options that change user, hostname or port; everything else in customOptions is
// irrelevant here and some of it (ProxyCommand, Include) has no business reaching ssh -G.
const ADDRESS_OPTIONS = ['hostname', 'user', 'port'] as const;

function addressOverrides(remote: SshRemoteConfig): Array<[name: string, value: string]> {
  return Object.entries(remote.customOptions ?? {}).filter(([name]) =>
    (ADDRESS_OPTIONS as readonly string[]).includes(name.toLowerCase()),
  );
}

function fromRemoteConfig(remote: SshRemoteConfig): EffectiveRemote {
  // ssh keeps the FIRST value it sees and buildSshArgs puts customOptions (-o) before -p and the
  // destination, so a customOptions User/Port/HostName wins over the remote's own fields.
  const override = (name: string): string | undefined =>
    addressOverrides(remote).find(([option]) => option.toLowerCase() === name)?.[1];
  const port = Number(override('port') ?? remote.port);
  return {
    user: override('user') ?? remote.username ?? os.userInfo().username,
    hostname: override('hostname') ?? remote.host,
    port: Number.isInteger(port) ? port : remote.port,
    source: 'remote-config',
  };
}

/**
 * The user, hostname and port ssh will really use for `remote`.
 *
 * - `useSshConfig: true`: asks `ssh -G` with the remote's own overrides on the command line
 *   (`username`, a non-default `port`, and User/Port/HostName from customOptions), exactly as the
 *   wrapped ssh call passes them, so ~/.ssh/config fills only the gaps and `Match user …` is
 *   evaluated against the final user.
 * - `useSshConfig: false`: read from the remote (ssh runs with `-F none`); no process is spawned.
 *
 * `remote` is validated first (as {@link parseSshRemoteConfig} does), so nothing unchecked reaches `ssh -G`.
 *
 * @throws {SshWrapError} `INVALID_CONFIG`/`UNSAFE_ARGUMENT` for an invalid remote; otherwise see {@link resolveSshConfigHost}.
 * @example
 * ```ts
 * await describeEffectiveRemote({ ...remote, host: 'gpu', useSshConfig: true });
 * // { user: 'dev', hostname: 'gpu.corp.example.com', port: 2222, source: 'ssh-config' }
 * ```
 */
export async function describeEffectiveRemote(input: SshRemoteConfig, options: ResolveSshConfigOptions = {}): Promise<EffectiveRemote> {
  assertKnownOptions(options, RESOLVE_OPTION_KEYS, 'ssh config options');
  const remote = parseSshRemoteConfig(input);
  if (!remote.useSshConfig) return fromRemoteConfig(remote);
  const args: string[] = [];
  for (const [name, value] of addressOverrides(remote)) args.push('-o', `${name}=${value}`);
  // Same rule as buildSshArgs: port 22 is the schema default, so it means "let the config decide".
  if (remote.port !== 22) args.push('-p', String(remote.port));
  args.push('--', sshDestination(remote));
  const resolved = await runSshG(remote.host, args, options);
  return { user: resolved.user, hostname: resolved.hostname, port: resolved.port, source: 'ssh-config' };
}
