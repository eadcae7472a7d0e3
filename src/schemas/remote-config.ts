import { z } from 'zod';
import { emptyMeansUnset, envRecord, hostField, jumpHostEntry, portField, sshOptionsRecord, sshPathField, sshToken, withoutUnsetKeys, type JumpHost } from './fields.js';

/**
 * One SSH remote, as stored by an app (Maestro's `sshRemotes` entries parse unchanged;
 * unknown keys are dropped, not rejected). In an optional text field, `''` means "not set"
 * (settings UIs save a cleared box that way): the output has no such key.
 *
 * The output is frozen (its records and arrays too), so a validated remote cannot be changed
 * into an unvalidated one behind the library's back.
 *
 * @example
 * ```ts
 * const remote = SshRemoteConfigSchema.parse({
 *   id: 'gpu-1', name: 'GPU Server', host: 'gpu.example.com', username: 'dev',
 *   privateKeyPath: '~/.ssh/id_ed25519', useSshConfig: false,
 * }); // port defaults to 22, enabled to true
 * ```
 */
export const SshRemoteConfigSchema = z.object({
  /** Unique identifier, referenced by `AgentSshRemoteConfig.remoteId`. */
  id: z.string().min(1, { message: 'id must not be empty' }),
  /** Display name. */
  name: z.string().default(''),
  /** Hostname, IP address or a `Host` alias from ~/.ssh/config. */
  host: hostField,
  /** TCP port, default 22. */
  port: portField.default(22),
  /** Remote login name; optional when ~/.ssh/config provides it. */
  username: emptyMeansUnset(sshToken('username')),
  /** Path of the private key (`-i`, never starting with `-`); `IdentitiesOnly=yes` is added with it. */
  privateKeyPath: emptyMeansUnset(sshPathField('privateKeyPath')),
  /** Key passphrase. Never put on a command line, never written back by sshwrap. */
  passphrase: emptyMeansUnset(z.string()),
  /** Let ~/.ssh/config supply what this config does not set. */
  useSshConfig: z.boolean().default(false),
  /** Extra `-o Name=Value` options; they override a default of the same (case-insensitive) name. */
  customOptions: sshOptionsRecord('customOptions').optional(),
  /** A disabled remote is treated as missing. Default true. */
  enabled: z.boolean().default(true),
  /** Environment exported on the remote for every command run there. */
  remoteEnv: envRecord('remoteEnv').optional(),
  /**
   * `'accept-new'` (default, as the reference contract): trust a host seen for the first time,
   * refuse a changed key. `'strict'`: only hosts already in the known-hosts file. No policy turns
   * checking off; a changed host key is always the distinct `host-key-changed` failure.
   */
  hostKeyPolicy: emptyMeansUnset(z.enum(['accept-new', 'strict'])),
  /** known_hosts file to read and update instead of ~/.ssh/known_hosts (never starting with `-`). */
  knownHostsFile: emptyMeansUnset(sshPathField('knownHostsFile')),
  /**
   * Jump hosts (OpenSSH's ProxyJump, ssh(1) `-J`), first hop first. Each entry is a string
   * `[user@]host[:port]` or an object `{ host, port?, username?, privateKeyPath?, knownHostsFile? }`,
   * validated like the remote's own fields.
   *
   * Every hop connects with the remote's settings unless the hop object sets its own: the key
   * (`-i` and `IdentitiesOnly`), the known-hosts files, the host-key policy, BatchMode,
   * ConnectTimeout, the server-alive and log settings and the `-F` config file (see
   * `HOP_INHERITED_OPTIONS`). The username and port are never inherited (as with ssh's own `-J`).
   * With `useSshConfig: true` a hop's own ~/.ssh/config entry fills in what is left.
   * sshwrap builds each hop as a `ProxyCommand` running `ssh -W '[%h]:%p' <hop>` (see `docs/connections.md`).
   *
   * @example
   * ```ts
   * jumpHosts: ['ops@bastion.example.com:2222', { host: 'inner-gw', privateKeyPath: '~/.ssh/gw' }]
   * ```
   */
  jumpHosts: z.array(jumpHostEntry).optional(),
  /** The remote's OS: `'windows'` runs the command through PowerShell instead of /bin/sh. Default `'posix'`. */
  remotePlatform: emptyMeansUnset(z.enum(['posix', 'windows'])),
}).transform(finishRemote);

// Every remote this schema produced. They are frozen (records and arrays too), so one found here
// still holds exactly what was validated and the wrap hot path need not parse it again.
const PRODUCED = new WeakSet<object>();

/** Whether {@link SshRemoteConfigSchema} produced `value` (so it is valid, frozen and unchanged). */
export function isProducedRemote(value: unknown): value is SshRemoteConfig {
  return typeof value === 'object' && value !== null && PRODUCED.has(value);
}

interface RemoteParts {
  passphrase?: string | undefined;
  customOptions?: object | undefined;
  remoteEnv?: object | undefined;
  jumpHosts?: readonly JumpHost[] | undefined;
}

/**
 * Drops unset keys; keeps `passphrase` readable (`remote.passphrase`) but non-enumerable, so
 * `JSON.stringify`, object spread, loggers and settings writers never copy it by accident; freezes.
 */
function finishRemote<T extends RemoteParts>(parsed: T): T {
  const { passphrase, ...rest } = withoutUnsetKeys(parsed);
  if (passphrase !== undefined) Object.defineProperty(rest, 'passphrase', { value: passphrase, enumerable: false });
  if (rest.customOptions) Object.freeze(rest.customOptions);
  if (rest.remoteEnv) Object.freeze(rest.remoteEnv);
  if (rest.jumpHosts) Object.freeze(rest.jumpHosts);
  const remote = Object.freeze(rest) as T;
  PRODUCED.add(remote);
  return remote;
}

/**
 * A copy of `remote` without `passphrase`: what may be stored, logged or shown. Works on a parsed
 * remote (where `passphrase` is hidden but readable) and on a raw stored entry alike; every other
 * key, including ones sshwrap does not know, is kept.
 *
 * @example
 * ```ts
 * const remote = parseSshRemoteConfig({ id: 'a', host: 'h', passphrase: 'pw', appColor: 'red' });
 * remoteWithoutPassphrase(remote).passphrase; // undefined
 * settings.set('sshRemotes', storedEntries.map(remoteWithoutPassphrase)); // appColor kept
 * ```
 */
export function remoteWithoutPassphrase<T extends object>(remote: T): Omit<T, 'passphrase'> {
  const { passphrase: _removed, ...rest } = remote as T & { passphrase?: unknown };
  return rest;
}

/**
 * A validated remote (output of {@link SshRemoteConfigSchema}).
 *
 * @example
 * ```ts
 * const remote: SshRemoteConfig = parseSshRemoteConfig({ id: 'gpu-1', host: 'gpu.example.com', username: 'dev' });
 * ```
 */
export type SshRemoteConfig = z.output<typeof SshRemoteConfigSchema>;
/**
 * What {@link SshRemoteConfigSchema} accepts: `port`, `name`, `enabled`, `useSshConfig` may be omitted.
 *
 * @example
 * ```ts
 * const stored: SshRemoteConfigInput = { id: 'gpu-1', host: 'gpu.example.com', username: '', useSshConfig: true };
 * ```
 */
export type SshRemoteConfigInput = z.input<typeof SshRemoteConfigSchema>;
