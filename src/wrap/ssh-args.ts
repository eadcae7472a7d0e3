import type { SshRemoteConfig } from '../schemas/index.js';
import { assertSafeCustomOptions, BASE_SSH_OPTIONS, mergeSshOptions } from './ssh-options.js';

/**
 * Options for {@link buildSshArgs}.
 */
export interface BuildSshArgsOptions {
  /**
   * Options sshwrap itself manages for this call (connection pooling, host-key policy), applied
   * after the defaults and before `remote.customOptions`.
   * @default undefined
   */
  managedOptions?: Readonly<Record<string, string>>;
  /**
   * Names of command-executing options (ProxyCommand, LocalCommand, ...) allowed in customOptions.
   * @default []
   */
  allowUnsafeOptions?: readonly string[];
  /**
   * ssh_config file to read instead of ~/.ssh/config when `useSshConfig` is true (`-F file`);
   * ignored for `useSshConfig: false` remotes, which always get `-F none`.
   * @default undefined (ssh's own default, ~/.ssh/config)
   */
  configFile?: string;
}

/**
 * Writes a value the way ssh's `-o` parser reads it back as one token: quoted when it holds
 * whitespace, quotes or backslashes (ssh splits `-o` values like an ssh_config line).
 *
 * @example
 * ```ts
 * sshOptionValue('/tmp/my dir/known_hosts'); // => "/tmp/my dir/known_hosts"
 * ```
 */
export function sshOptionValue(value: string): string {
  return /[\s"'\\]/.test(value) ? `"${value.replace(/[\\"]/g, '\\$&')}"` : value;
}

/**
 * The ssh destination: `user@host`, or just `host` when ssh (or ~/.ssh/config) picks the user.
 * ssh splits on the LAST `@`, so a username containing `@` (e.g. `me@corp`) is kept whole.
 */
export function sshDestination(remote: Pick<SshRemoteConfig, 'host' | 'username'>): string {
  return remote.username ? `${remote.username}@${remote.host}` : remote.host;
}

/** Options implied by the remote's own fields: identity, host-key policy, known-hosts file. */
function remoteOptions(remote: SshRemoteConfig): Record<string, string> {
  const options: Record<string, string> = {};
  if (remote.privateKeyPath) options.IdentitiesOnly = 'yes';
  if (remote.knownHostsFile) options.UserKnownHostsFile = sshOptionValue(remote.knownHostsFile);
  return options;
}

/** The explicit host-key policy: applied last, so no customOptions entry can weaken it. */
function policyOptions(remote: SshRemoteConfig): Record<string, string> | undefined {
  return remote.hostKeyPolicy === 'strict' ? { StrictHostKeyChecking: 'yes' } : undefined;
}

/**
 * Builds ssh's arguments (without `ssh` itself) for one remote command.
 *
 * Order: `-F`, `-o Name=Value` for the merged options (defaults, sshwrap's own, the remote's
 * identity/host-key fields, managed, then customOptions, each name once), `-p`, `-i`, `-J`, `--`,
 * destination, remote command. The `--` ends
 * ssh's option parsing, so even a host that slipped past validation cannot become an option.
 *
 * With `useSshConfig: true`, what the remote does not set is left to ~/.ssh/config (no `-p` for
 * the default port 22, no `-i` or user when absent). With `useSshConfig: false`, `-F none` stops
 * a config file from changing the connection behind the caller's back. `passphrase` never
 * appears.
 *
 * @throws {SshWrapError} `UNSAFE_ARGUMENT` for command-executing customOptions not explicitly allowed.
 * @example
 * ```ts
 * buildSshArgs(remote, 'echo hi');
 * // ['-F', 'none', '-o', 'BatchMode=yes', ..., '-p', '22', '--', 'dev@gpu-server', 'echo hi']
 * ```
 */
export function buildSshArgs(remote: SshRemoteConfig, remoteCommand: string | undefined, options: BuildSshArgsOptions = {}): string[] {
  assertSafeCustomOptions(remote.customOptions, options.allowUnsafeOptions);
  const args: string[] = [];
  // A remote that does not opt into ssh_config gets none at all, whatever configFile says.
  if (!remote.useSshConfig) args.push('-F', 'none');
  else if (options.configFile) args.push('-F', options.configFile);

  for (const [name, value] of mergeSshOptions([BASE_SSH_OPTIONS, remoteOptions(remote), options.managedOptions, remote.customOptions, policyOptions(remote)])) {
    args.push('-o', `${name}=${value}`);
  }
  if (!remote.useSshConfig || remote.port !== 22) args.push('-p', String(remote.port));
  if (remote.privateKeyPath) args.push('-i', remote.privateKeyPath);
  if (remote.jumpHosts?.length) args.push('-J', remote.jumpHosts.join(','));
  args.push('--', sshDestination(remote));
  if (remoteCommand !== undefined) args.push(remoteCommand);
  return args;
}
