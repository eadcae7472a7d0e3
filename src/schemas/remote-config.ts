import { z } from 'zod';
import { envRecord, hostField, jumpHostField, noNul, sshToken, UNSAFE } from './fields.js';

/** ssh option names as written in ssh_config: letters and digits, starting with a letter. */
const OPTION_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

const customOptions = z.record(
  z.string().regex(OPTION_NAME, { message: 'customOptions: option names must match [A-Za-z][A-Za-z0-9]*' }),
  z.string().refine((value) => !/[\r\n\u0000]/.test(value), {
    message: 'customOptions: values must not contain newlines or NUL',
    params: UNSAFE,
  }),
);

/**
 * One SSH remote, as stored by an app (Maestro's `sshRemotes` entries parse unchanged;
 * unknown keys are dropped, not rejected).
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
  /** Unique identifier, referenced by {@link AgentSshRemoteConfig.remoteId}. */
  id: z.string().min(1, { message: 'id must not be empty' }),
  /** Display name. */
  name: z.string().default(''),
  /** Hostname, IP address or a `Host` alias from ~/.ssh/config. */
  host: hostField,
  /** TCP port, default 22. */
  port: z.number().int().min(1).max(65535).default(22),
  /** Remote login name; optional when ~/.ssh/config provides it. */
  username: sshToken('username').optional(),
  /** Path of the private key (`-i`); `IdentitiesOnly=yes` is added with it. */
  privateKeyPath: noNul('privateKeyPath')
    .refine((value) => !/[\r\n]/.test(value), { message: 'privateKeyPath must not contain newlines', params: UNSAFE })
    .optional(),
  /** Key passphrase. Never put on a command line, never written back by sshwrap. */
  passphrase: z.string().optional(),
  /** Let ~/.ssh/config supply what this config does not set. */
  useSshConfig: z.boolean().default(false),
  /** Extra `-o Name=Value` options; they override a default of the same (case-insensitive) name. */
  customOptions: customOptions.optional(),
  /** A disabled remote is treated as missing. Default true. */
  enabled: z.boolean().default(true),
  /** Environment exported on the remote for every command run there. */
  remoteEnv: envRecord('remoteEnv').optional(),
  /**
   * `'accept-new'` (default, as the reference contract): trust a host seen for the first time,
   * refuse a changed key. `'strict'`: only hosts already in the known-hosts file. No policy turns
   * checking off; a changed host key is always the distinct `host-key-changed` failure.
   */
  hostKeyPolicy: z.enum(['accept-new', 'strict']).optional(),
  /** known_hosts file to read and update instead of ~/.ssh/known_hosts. */
  knownHostsFile: noNul('knownHostsFile')
    .min(1)
    .refine((value) => !/[\r\n]/.test(value), { message: 'knownHostsFile must not contain newlines', params: UNSAFE })
    .optional(),
  /** Jump hosts (`-J`), each `[user@]host[:port]`, validated like `host`. */
  jumpHosts: z.array(jumpHostField).optional(),
  /** The remote's OS: `'windows'` runs the command through PowerShell instead of /bin/sh. Default `'posix'`. */
  remotePlatform: z.enum(['posix', 'windows']).optional(),
}).transform(hidePassphrase);

/**
 * Keeps `passphrase` readable (`remote.passphrase`) but non-enumerable, so `JSON.stringify`,
 * object spread, loggers and settings writers never copy it by accident.
 */
function hidePassphrase<T extends { passphrase?: string | undefined }>(remote: T): T {
  if (remote.passphrase === undefined) return remote;
  const { passphrase, ...rest } = remote;
  Object.defineProperty(rest, 'passphrase', { value: passphrase, enumerable: false, writable: false, configurable: true });
  return rest as T;
}

/** A validated remote (output of {@link SshRemoteConfigSchema}). */
export type SshRemoteConfig = z.output<typeof SshRemoteConfigSchema>;
/** What {@link SshRemoteConfigSchema} accepts: `port`, `name`, `enabled`, `useSshConfig` may be omitted. */
export type SshRemoteConfigInput = z.input<typeof SshRemoteConfigSchema>;
