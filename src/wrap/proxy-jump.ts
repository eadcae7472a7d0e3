import { SshWrapError } from '../errors/index.js';
import { encodeForAnyShell, quotePosix } from '../quoting/index.js';
import type { JumpHost, JumpHostObject } from '../schemas/fields.js';

/**
 * The options a ProxyJump hop takes over from its remote (from the remote's merged option list:
 * defaults, identity and known-hosts fields, managed options, customOptions, host-key policy):
 * how to authenticate, which host keys to trust and how strictly, how long to wait, what to log.
 * Left out on purpose: anything naming one host (HostName, User, Port, HostKeyAlias), the
 * ControlMaster options (a hop's `ssh -W` must never bind the master's socket), forwardings and
 * command options.
 *
 * @example
 * ```ts
 * HOP_INHERITED_OPTIONS.includes('UserKnownHostsFile'); // true
 * HOP_INHERITED_OPTIONS.includes('ControlPath');        // false
 * ```
 */
export const HOP_INHERITED_OPTIONS: readonly string[] = Object.freeze([
  'BatchMode',
  'ConnectTimeout',
  'ConnectionAttempts',
  'StrictHostKeyChecking',
  'UserKnownHostsFile',
  'GlobalKnownHostsFile',
  'CheckHostIP',
  'UpdateHostKeys',
  'HashKnownHosts',
  'VerifyHostKeyDNS',
  'HostKeyAlgorithms',
  'IdentitiesOnly',
  'IdentityAgent',
  'CertificateFile',
  'PubkeyAuthentication',
  'PubkeyAcceptedAlgorithms',
  'PreferredAuthentications',
  'PasswordAuthentication',
  'KbdInteractiveAuthentication',
  'NumberOfPasswordPrompts',
  'AddressFamily',
  'KexAlgorithms',
  'Ciphers',
  'MACs',
  'LogLevel',
  'ServerAliveInterval',
  'ServerAliveCountMax',
  'ClearAllForwardings',
  'ForwardAgent',
  'ForwardX11',
]);

const INHERITED = new Set(HOP_INHERITED_OPTIONS.map((name) => name.toLowerCase()));

/** What every hop of one remote shares. */
export interface HopContext {
  /** ssh client binary the hops run (`sshPath` of the run). */
  sshPath: string;
  /** `['-F', 'none']`, `['-F', file]` or `[]`: the config file the remote itself uses. */
  configArgs: readonly string[];
  /** The remote's merged `-o` options (name, value as passed to ssh); only {@link HOP_INHERITED_OPTIONS} are used. */
  remoteOptions: ReadonlyArray<readonly [string, string]>;
  /** The remote's key, used by a hop that names none. */
  privateKeyPath?: string | undefined;
  /** Whether the remote reads ssh_config: without it every hop gets `-p` (22 by default). */
  useSshConfig: boolean;
  /** Quotes a known-hosts path as ssh's `-o` parser reads it back. */
  optionValue: (value: string) => string;
}

/**
 * A `jumpHosts` string `[user@]host[:port]` as a hop object (brackets of an IPv6 address
 * dropped). The string was validated by the schema; this only splits it.
 *
 * @example
 * ```ts
 * jumpHostObject('ops@[::1]:2222'); // { host: '::1', username: 'ops', port: 2222 }
 * jumpHostObject({ host: 'gw' });   // { host: 'gw' } (objects are returned as they are)
 * ```
 */
export function jumpHostObject(hop: JumpHost): JumpHostObject {
  if (typeof hop !== 'string') return hop;
  const at = hop.lastIndexOf('@');
  const username = at >= 0 ? hop.slice(0, at) : undefined;
  const hostPort = hop.slice(at + 1);
  const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(hostPort);
  const host = match?.[1] ?? match?.[2] ?? hostPort;
  const port = match?.[3] === undefined ? undefined : Number(match[3]);
  return { host, ...(username ? { username } : {}), ...(port !== undefined ? { port } : {}) };
}

// What a hop's `ssh -W` forwards to: the next hop or the destination, as the ssh running this
// ProxyCommand resolved it (after HostName/Port from ssh_config). The same words ssh's own -J uses.
const TARGET = '[%h]:%p';
const TARGET_WORD = Symbol('target');
type Word = string | typeof TARGET_WORD;

/** The argv of one hop's `ssh -W`, with the target as a placeholder. */
function hopArgv(hops: readonly JumpHostObject[], context: HopContext): Word[] {
  const hop = hops.at(-1)!;
  const options = new Map<string, [string, string]>();
  for (const [name, value] of context.remoteOptions) if (INHERITED.has(name.toLowerCase())) options.set(name.toLowerCase(), [name, value]);
  const privateKeyPath = hop.privateKeyPath ?? context.privateKeyPath;
  if (hop.privateKeyPath) options.set('identitiesonly', ['IdentitiesOnly', 'yes']);
  if (hop.knownHostsFile) options.set('userknownhostsfile', ['UserKnownHostsFile', context.optionValue(hop.knownHostsFile)]);
  const argv: Word[] = [context.sshPath, ...context.configArgs];
  for (const [name, value] of options.values()) argv.push('-o', `${name}=${value}`);
  // The hops before this one carry this hop's connection, exactly as they carry the remote's.
  if (hops.length > 1) argv.push('-o', `ProxyCommand=${proxyCommandForHops(hops.slice(0, -1), context)}`);
  if (hop.port !== undefined) argv.push('-p', String(hop.port));
  else if (!context.useSshConfig) argv.push('-p', '22');
  if (privateKeyPath) argv.push('-i', privateKeyPath);
  argv.push('-W', TARGET_WORD, '--', hop.username ? `${hop.username}@${hop.host}` : hop.host);
  return argv;
}

// Characters that every shell ssh may run ProxyCommand with ($SHELL: sh, bash, zsh, ksh, fish,
// tcsh, ...) keeps literally inside single quotes (see quoting/any-shell.ts), plus `%`.
const SINGLE_QUOTABLE = /^[A-Za-z0-9 #$%&()*+,\-./:;<=>?@[\]^_{|}~"]*$/;
// Words that mean the same unquoted in all of those shells.
const BARE = /^[A-Za-z0-9_+,./:@-][A-Za-z0-9_+,./:=@-]*$/;

/**
 * The text of a ProxyCommand running `argv`, for ssh to expand (`%h`, `%p`) and hand to the
 * user's shell. ssh runs ProxyCommand as `$SHELL -c "exec <text>"` (sshconnect.c,
 * ssh_proxy_connect), and `$SHELL` may be fish or tcsh, which read backslashes, `!` and
 * newlines differently from sh. So:
 *
 * - when every word holds only characters all those shells keep inside single quotes, each word
 *   is written bare or single-quoted, and each `%` doubled (ssh_config(5) TOKENS: `%%` is a
 *   literal `%`; an unknown `%x` is fatal);
 * - otherwise the words become a POSIX script encoded with {@link encodeForAnyShell} and run as
 *   `/bin/sh -c 'eval "$(printf "$1")"' sshwrap '<format>' '[%h]:%p'`, where the format holds no
 *   `%`, `'` or `\` that any shell or ssh would touch, and the target arrives as `$2`.
 *
 * Either text also survives ssh's `-o` parser, which checks quotes like ssh_config does.
 */
function proxyCommandText(argv: readonly Word[]): string {
  if (argv.every((word) => word === TARGET_WORD || SINGLE_QUOTABLE.test(word))) {
    return argv.map((word) => (word === TARGET_WORD ? `'${TARGET}'` : BARE.test(word) ? word.replace(/%/g, '%%') : `'${word.replace(/%/g, '%%')}'`)).join(' ');
  }
  const script = `exec ${argv.map((word) => (word === TARGET_WORD ? '"$2"' : quotePosix(word))).join(' ')}`;
  return `/bin/sh -c 'eval "$(printf "$1")"' sshwrap '${encodeForAnyShell(script)}' '${TARGET}'`;
}

/**
 * The ProxyCommand that reaches the destination through `hops` (first hop first): the last hop's
 * `ssh -W '[%h]:%p'`, whose own ProxyCommand reaches it through the hops before it, and so on.
 * Each hop's ssh gets the remote's connection settings (see {@link HOP_INHERITED_OPTIONS}) and
 * the hop's own `privateKeyPath`/`knownHostsFile`/`port`/`username` when set.
 *
 * This is what ssh's own `-J` does (ssh.c builds `ssh -l user -p port -J <earlier hops> -W
 * '[%h]:%p' <last hop>`), except that `-J` passes none of the remote's options to the hops.
 *
 * @example
 * ```ts
 * proxyCommandForHops([{ host: 'bastion', username: 'ops' }], { sshPath: 'ssh', configArgs: ['-F', 'none'], remoteOptions: [['BatchMode', 'yes']], useSshConfig: false, optionValue: (v) => v });
 * // => "ssh -F none -o BatchMode=yes -p 22 -W '[%h]:%p' -- ops@bastion"
 * ```
 */
export function proxyCommandForHops(hops: readonly JumpHostObject[], context: HopContext): string {
  return proxyCommandText(hopArgv(hops, context));
}

/**
 * Refuses jump hosts where they cannot be built: ssh for Windows runs ProxyCommand without a
 * POSIX shell, and a ProxyCommand or ProxyJump of the caller's own would fight the hops.
 * @internal
 */
export function assertJumpHostsUsable(localPlatform: string | undefined, customOptions: Readonly<Record<string, string>> | undefined): void {
  if (localPlatform === 'win32') {
    throw new SshWrapError('INVALID_CONFIG', 'jumpHosts are not supported when the local machine runs Windows (ssh.exe runs ProxyCommand without a POSIX shell)', {
      field: 'jumpHosts',
      hint: 'Put ProxyJump in ~/.ssh/config for that host and use useSshConfig: true without jumpHosts.',
    });
  }
  const clash = Object.keys(customOptions ?? {}).find((name) => ['proxycommand', 'proxyjump'].includes(name.toLowerCase()));
  if (clash) {
    throw new SshWrapError('INVALID_CONFIG', `jumpHosts and customOptions.${clash} both say how to reach the host; ssh would use only one of them`, {
      field: `customOptions.${clash}`,
      hint: 'Keep jumpHosts and remove the customOptions entry.',
    });
  }
}
