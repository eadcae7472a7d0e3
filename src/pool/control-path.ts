import { createHash } from 'node:crypto';
import type { SshRemoteConfig } from '../schemas/index.js';

/**
 * Longest socket path that works everywhere: macOS `sun_path` is 104 bytes including the NUL
 * (Linux 108).
 */
export const MAX_SOCKET_PATH_BYTES = 103;
/**
 * ssh binds the master socket as `<ControlPath>.<16 random chars>` and then links it into place
 * (mux.c, seen with strace on OpenSSH 9.2), so the temporary name is 17 bytes longer.
 */
export const SSH_TEMP_SUFFIX_BYTES = 17;
/** `%C` expands to a hex SHA-1: 40 bytes. */
const EXPANDED_C_BYTES = 40;
/** Slot indexes are budgeted at 3 digits (more than 999 masters per remote would be a bug). */
const SLOT_DIGITS_BUDGET = 3;
const FINGERPRINT_HEX = 12;

/** Inputs besides the remote that change which connection ssh makes. */
export interface ConnectionContext {
  /** ssh client binary. */
  sshPath?: string | undefined;
  /** `-F` file for `useSshConfig` remotes. */
  sshConfigFile?: string | undefined;
}

/**
 * A short hash of everything that makes two connections differ: host, port, user, key,
 * `useSshConfig`, jump hosts, customOptions (names case-insensitive, as ssh reads them), the config file and
 * the ssh binary. `%C` alone hashes only local host, host, port and user, so two remotes that
 * differ in key or options would otherwise share (and silently reuse) one master.
 *
 * @example
 * ```ts
 * connectionFingerprint(remote) === connectionFingerprint({ ...remote, name: 'renamed' }); // true
 * connectionFingerprint(remote) === connectionFingerprint({ ...remote, port: 2222 });      // false
 * ```
 */
export function connectionFingerprint(remote: SshRemoteConfig, context: ConnectionContext = {}): string {
  const options = Object.entries(remote.customOptions ?? {})
    .map(([name, value]) => [name.toLowerCase(), value] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const identity = [
    remote.host,
    remote.port,
    remote.username ?? null,
    remote.privateKeyPath ?? null,
    remote.useSshConfig,
    options,
    context.sshConfigFile ?? null,
    context.sshPath ?? 'ssh',
    // Hops reach the host through a ProxyCommand, which %C (its %j is ProxyJump only) cannot see.
    // Only when set, so remotes without hops keep their sockets across versions.
    ...(remote.jumpHosts?.length ? [remote.jumpHosts] : []),
    // The host-key checks are made once, by the master: a remote that trusts another known_hosts
    // file or is stricter must not ride on a master that another remote's settings let in.
    ...(remote.hostKeyPolicy !== undefined || remote.knownHostsFile !== undefined ? [{ hostKeyPolicy: remote.hostKeyPolicy ?? null, knownHostsFile: remote.knownHostsFile ?? null }] : []),
  ];
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, FINGERPRINT_HEX);
}

/**
 * The ControlPath handed to ssh: `<dir>/%C-<fingerprint>-<slot>`. ssh expands `%C` itself, after
 * reading ~/.ssh/config, so an alias resolving to another host/user/port gets its own socket.
 *
 * @example
 * ```ts
 * controlPathTemplate('/tmp/sshwrap-1000', '3f2a9c01b7de', 0); // '/tmp/sshwrap-1000/%C-3f2a9c01b7de-0'
 * ```
 */
export function controlPathTemplate(dir: string, fingerprint: string, slot: number): string {
  return `${dir}/%C-${fingerprint}-${slot}`;
}

/** Length in bytes of the longest socket name ssh will bind for a template in `dir`. */
export function worstCaseSocketBytes(dir: string): number {
  const template = controlPathTemplate(dir, 'f'.repeat(FINGERPRINT_HEX), 10 ** SLOT_DIGITS_BUDGET - 1);
  return Buffer.byteLength(template.replace('%C', 'c'.repeat(EXPANDED_C_BYTES))) + SSH_TEMP_SUFFIX_BYTES;
}

/** Whether every socket sshwrap could create in `dir` fits {@link MAX_SOCKET_PATH_BYTES}. */
export function controlDirFits(dir: string): boolean {
  return worstCaseSocketBytes(dir) <= MAX_SOCKET_PATH_BYTES;
}
