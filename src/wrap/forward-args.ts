import type { SshRemoteConfig } from '../schemas/remote-config.js';
import { buildSshArgs, type BuildSshArgsOptions } from './ssh-args.js';

/**
 * One forwarding a forwarding connection asks for (ssh(1) `-L`, `-R`).
 *
 * - `local-tcp`: `-L 127.0.0.1:<localPort>:<remoteHost>:<remotePort>`. Always bound to
 *   127.0.0.1: an explicit loopback bind address is kept by ssh whatever `GatewayPorts` says
 *   (channels.c, `channel_fwd_bind_addr`), so no other machine can use the forward.
 * - `remote-socket`: `-R <remoteSocketPath>:<localSocketPath>`, a unix socket that sshd binds on
 *   the remote and connects to a local unix socket (ssh(1) `-R remote_socket:local_socket`).
 *
 * @example
 * ```ts
 * const forward: ForwardSpec = { kind: 'local-tcp', localPort: 5173, remoteHost: '127.0.0.1', remotePort: 5173 };
 * ```
 */
export type ForwardSpec =
  | { kind: 'local-tcp'; localPort: number; remoteHost: string; remotePort: number }
  | { kind: 'remote-socket'; remoteSocketPath: string; localSocketPath: string };

/**
 * ssh options that belong to a forwarding connection alone and that a remote's `customOptions`
 * must not change there: forwarding must be on (the point of the connection), must fail loudly,
 * and the connection must neither use nor become a pooled master (its forwards would otherwise
 * live in, and die with, a master shared with command runs).
 */
const FORWARD_OWNED_OPTIONS = new Set([
  'clearallforwardings',
  'exitonforwardfailure',
  'controlmaster',
  'controlpath',
  'controlpersist',
  'localforward',
  'remoteforward',
  'dynamicforward',
  'streamlocalbindunlink',
  'requesttty',
  'loglevel',
]);

/**
 * The ssh options of a forwarding connection, layered over the remote's as `managedOptions`:
 * - `ClearAllForwardings=no`: undoes sshwrap's default `yes` for this connection only. With
 *   `yes`, ssh drops command-line `-L`/`-R` too (readconf.c, `fill_default_options` calls
 *   `clear_forwardings` after the command line is parsed); command runs keep `yes`.
 * - `ExitOnForwardFailure=yes`: a local port already taken ("bind … Address already in use",
 *   "Could not request local forwarding.") or a remote forward the server refuses ("Error: remote
 *   port forwarding failed for listen path …") ends ssh with 255 instead of a half-working
 *   connection (ssh_config(5) ExitOnForwardFailure; ssh.c `ssh_init_forwarding`).
 * - `ControlMaster=no`, `ControlPath=none`: never a pooled master's client nor a master itself.
 * - `StreamLocalBindUnlink=yes`: a stale socket file of ours is replaced (ssh_config(5)).
 * - `LogLevel=INFO`: sshd's refusal of a `-L` channel ("channel N: open failed: administratively
 *   prohibited") is logged by ssh at INFO (channels.c `channel_input_open_failure`, `logit`).
 * - `RequestTTY=no`: the session only carries the readiness handshake.
 *
 * @example
 * ```ts
 * FORWARD_SSH_OPTIONS.ClearAllForwardings; // 'no' (runs keep DEFAULT_SSH_OPTIONS' 'yes')
 * ```
 */
export const FORWARD_SSH_OPTIONS: Readonly<Record<string, string>> = Object.freeze({
  ClearAllForwardings: 'no',
  ExitOnForwardFailure: 'yes',
  ControlMaster: 'no',
  ControlPath: 'none',
  StreamLocalBindUnlink: 'yes',
  LogLevel: 'INFO',
  RequestTTY: 'no',
});

/** ssh(1) `-L`/`-R` argument for `spec`. Socket paths and hosts are validated by the caller's schema. */
function forwardArg(spec: ForwardSpec): [string, string] {
  if (spec.kind === 'local-tcp') {
    // An IPv6 literal needs brackets inside the colon-separated spec (ssh(1) -L).
    const host = spec.remoteHost.includes(':') ? `[${spec.remoteHost}]` : spec.remoteHost;
    return ['-L', `127.0.0.1:${spec.localPort}:${host}:${spec.remotePort}`];
  }
  return ['-R', `${spec.remoteSocketPath}:${spec.localSocketPath}`];
}

/**
 * ssh's arguments (without `ssh`) for a connection that carries `forwards` and runs
 * `remoteCommand`: the remote's usual arguments ({@link buildSshArgs}) with
 * `FORWARD_SSH_OPTIONS` managed, the forwarding-related `customOptions` left out (see
 * above), and the `-L`/`-R` arguments before `--`. Pure: nothing is spawned.
 *
 * @throws {SshWrapError} whatever {@link buildSshArgs} throws for the remote.
 * @example
 * ```ts
 * buildForwardSshArgs(remote, [{ kind: 'local-tcp', localPort: 40123, remoteHost: '127.0.0.1', remotePort: 5173 }], 'exec cat');
 * // [..., '-o', 'ClearAllForwardings=no', ..., '-L', '127.0.0.1:40123:127.0.0.1:5173', '--', 'dev@gpu', 'exec cat']
 * ```
 */
export function buildForwardSshArgs(
  remote: SshRemoteConfig,
  forwards: readonly ForwardSpec[],
  remoteCommand: string | undefined,
  options: Omit<BuildSshArgsOptions, 'managedOptions'> & { managedOptions?: Readonly<Record<string, string>> } = {},
): string[] {
  const customOptions = remote.customOptions
    ? Object.fromEntries(Object.entries(remote.customOptions).filter(([name]) => !FORWARD_OWNED_OPTIONS.has(name.toLowerCase())))
    : undefined;
  // `passphrase` is non-enumerable on parsed remotes; it never reaches ssh's argv anyway.
  const args = buildSshArgs({ ...remote, customOptions }, remoteCommand, { ...options, managedOptions: { ...options.managedOptions, ...FORWARD_SSH_OPTIONS } });
  const end = args.indexOf('--');
  args.splice(end, 0, ...forwards.flatMap(forwardArg));
  return args;
}
