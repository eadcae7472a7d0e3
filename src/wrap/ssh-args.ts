import { z } from 'zod';
import { parseSshArgsInput } from '../schemas/builder-inputs.js';
import { emptyMeansUnset, hostField, sshToken } from '../schemas/fields.js';
import { parseSshRemoteConfig, parseWith } from '../schemas/parse.js';
import type { SshRemoteConfig } from '../schemas/remote-config.js';
import { assertJumpHostsUsable, jumpHostObject, proxyCommandForHops } from './proxy-jump.js';
import { assertSafeCustomOptions, BASE_SSH_OPTIONS, mergeSshOptions } from './ssh-options.js';

/**
 * Options for {@link buildSshArgs}.
 *
 * @example
 * ```ts
 * const options: BuildSshArgsOptions = { sshPath: '/usr/bin/ssh', configFile: '/etc/app/ssh_config' };
 * ```
 */
export interface BuildSshArgsOptions {
  /**
   * Options sshwrap itself manages for this call (connection pooling, host-key policy), applied
   * after the defaults and before `remote.customOptions`. Names and values follow the rules of
   * `customOptions`.
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
   * ignored for `useSshConfig: false` remotes, which always get `-F none`. Never starting with
   * `-`; `''` means not set.
   * @default undefined (ssh's own default, ~/.ssh/config)
   */
  configFile?: string;
  /**
   * The ssh client each ProxyJump hop runs (inside the ProxyCommand built for `jumpHosts`); the
   * same binary the caller spawns. Never starting with `-`; `''` means not set.
   * @default 'ssh'
   */
  sshPath?: string;
  /**
   * The local OS (`process.platform`). `'win32'` refuses `jumpHosts`: ssh for Windows runs
   * ProxyCommand without a POSIX shell, so the hops could not be built safely.
   * @default undefined (a POSIX local machine)
   */
  localPlatform?: string;
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

const DESTINATION = z.object({ host: hostField, username: emptyMeansUnset(sshToken('username')) });

function destinationOf(remote: Pick<SshRemoteConfig, 'host' | 'username'>): string {
  return remote.username ? `${remote.username}@${remote.host}` : remote.host;
}

/**
 * The ssh destination: `user@host`, or just `host` when ssh (or ~/.ssh/config) picks the user
 * (`username` absent or `''`). ssh splits on the LAST `@`, so a username containing `@`
 * (e.g. `me@corp`) is kept whole. `host` and `username` are checked as in {@link SshRemoteConfigSchema}.
 *
 * @throws {SshWrapError} `UNSAFE_ARGUMENT` (`field: 'host'` or `'username'`) for a value ssh
 *   would read as an option or split, `INVALID_CONFIG` for an empty host.
 * @example
 * ```ts
 * sshDestination({ host: 'gpu-server', username: 'dev' }); // => 'dev@gpu-server'
 * sshDestination({ host: 'gpu-server', username: '' });    // => 'gpu-server'
 * ```
 */
export function sshDestination(remote: Pick<SshRemoteConfig, 'host' | 'username'>): string {
  return destinationOf(parseWith(DESTINATION, { host: remote.host, username: remote.username }, 'ssh destination'));
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
 * identity/host-key fields, managed, then customOptions, each name once), `-o ProxyCommand=…`
 * for `jumpHosts`, `-p`, `-i`, `--`, destination, remote command. The `--` ends
 * ssh's option parsing, so even a host that slipped past validation cannot become an option.
 *
 * `jumpHosts` do not become `-J`: ssh would run each hop as a bare `ssh -W` without the remote's
 * key, known-hosts file, host-key policy or BatchMode (ssh.c). Instead the hops are built as a
 * nested `ProxyCommand` of `ssh -W '[%h]:%p' <hop>` invocations that carry those settings (see
 * `proxyCommandForHops`); ssh_config(5) ProxyCommand, ProxyJump.
 *
 * With `useSshConfig: true`, what the remote does not set is left to ~/.ssh/config (no `-p` for
 * the default port 22, no `-i` or user when absent). With `useSshConfig: false`, `-F none` stops
 * a config file from changing the connection behind the caller's back. `passphrase` never
 * appears.
 *
 * `remote` is validated like {@link parseSshRemoteConfig} does (a remote that function or the
 * schema produced is accepted as is), so a hand-built object cannot smuggle an option in.
 *
 * @throws {SshWrapError} `INVALID_CONFIG`/`UNSAFE_ARGUMENT` for a remote, remote command (NUL),
 *   `managedOptions` or `configFile` the schemas refuse, with `field` set; `UNSAFE_ARGUMENT` for
 *   command-executing customOptions not explicitly allowed; `INVALID_CONFIG` (`field: 'jumpHosts'`)
 *   for `jumpHosts` with `localPlatform: 'win32'` or next to a customOptions ProxyCommand/ProxyJump.
 * @example
 * ```ts
 * buildSshArgs(remote, 'echo hi');
 * // ['-F', 'none', '-o', 'BatchMode=yes', ..., '-p', '22', '--', 'dev@gpu-server', 'echo hi']
 * ```
 */
export function buildSshArgs(input: SshRemoteConfig, remoteCommand: string | undefined, buildOptions: BuildSshArgsOptions = {}): string[] {
  const remote = parseSshRemoteConfig(input);
  const options = parseSshArgsInput({ ...buildOptions, remoteCommand });
  assertSafeCustomOptions(remote.customOptions, options.allowUnsafeOptions);
  const args: string[] = [];
  // A remote that does not opt into ssh_config gets none at all, whatever configFile says.
  if (!remote.useSshConfig) args.push('-F', 'none');
  else if (options.configFile) args.push('-F', options.configFile);

  const merged = mergeSshOptions([BASE_SSH_OPTIONS, remoteOptions(remote), options.managedOptions, remote.customOptions, policyOptions(remote)]);
  for (const [name, value] of merged) args.push('-o', `${name}=${value}`);
  if (remote.jumpHosts?.length) {
    assertJumpHostsUsable(options.localPlatform, remote.customOptions);
    const proxyCommand = proxyCommandForHops(remote.jumpHosts.map(jumpHostObject), {
      sshPath: options.sshPath ?? 'ssh',
      configArgs: args.slice(0, args[0] === '-F' ? 2 : 0),
      remoteOptions: merged,
      privateKeyPath: remote.privateKeyPath,
      useSshConfig: remote.useSshConfig,
      optionValue: sshOptionValue,
    });
    args.push('-o', `ProxyCommand=${proxyCommand}`);
  }
  if (!remote.useSshConfig || remote.port !== 22) args.push('-p', String(remote.port));
  if (remote.privateKeyPath) args.push('-i', remote.privateKeyPath);
  args.push('--', destinationOf(remote));
  if (remoteCommand !== undefined) args.push(remoteCommand);
  return args;
}
