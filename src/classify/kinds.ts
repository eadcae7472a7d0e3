/**
 * Why a remote command did not run, as far as ssh and the remote script can tell.
 *
 * - `auth-failed`: the server refused every key ("Permission denied (publickey)").
 * - `host-key-changed`: the host key does not match the one in known_hosts ("REMOTE HOST
 *   IDENTIFICATION HAS CHANGED").
 * - `host-key-unknown`: known_hosts has no key for the host and the policy forbids adding one
 *   (`hostKeyPolicy: 'strict'`: "No ED25519 host key is known for … and you have requested strict
 *   checking."; a lone "Host key verification failed." under `StrictHostKeyChecking=ask`).
 * - `connection-refused`: nothing listens on that host and port.
 * - `timeout`: no TCP connection or no SSH banner within `ConnectTimeout`, or the run's own
 *   `timeoutMs` expired before the command started.
 * - `host-unreachable`: no route to the host or network.
 * - `dns`: the host name does not resolve.
 * - `connection-closed`: the server closed the connection during the handshake
 *   ("kex_exchange_identification: Connection closed by remote host").
 * - `key-unreadable`: the private key file is missing, unreadable, malformed or too open.
 * - `agent-not-found`: the command is not on the remote PATH (or, locally, not installed).
 * - `cwd-missing`: the working directory does not exist or cannot be entered.
 * - `login-env-timeout`: `remoteEnvironment: 'login'`: the login shell did not build its
 *   environment within the bound (a startup file waits for input or runs long); the command did not run.
 * - `login-env-failed`: `remoteEnvironment: 'login'`: the login shell exited before it reported its
 *   environment (a startup file calls `exit`, `$SHELL` is unset or refuses `-l -c`).
 * - `forwarding-refused`: the server forbids the port or socket forwarding asked for
 *   (`AllowTcpForwarding no` / `AllowStreamLocalForwarding no` / `PermitOpen`, sshd_config(5)):
 *   "Error: remote port forwarding failed for listen path …", or "channel N: open failed:
 *   administratively prohibited" for a connection through a `-L` forward.
 * - `passphrase-required`: the key is encrypted and `BatchMode=yes` forbids asking for it.
 * - `spawn-failed`: the local ssh client itself could not be started (not installed, E2BIG).
 * - `unknown`: ssh failed for a reason none of the above matches; see the message.
 *
 * @example
 * ```ts
 * const kind: SshFailureKind = 'auth-failed';
 * ```
 */
export type SshFailureKind =
  | 'auth-failed'
  | 'host-key-changed'
  | 'host-key-unknown'
  | 'connection-refused'
  | 'timeout'
  | 'host-unreachable'
  | 'dns'
  | 'connection-closed'
  | 'key-unreadable'
  | 'agent-not-found'
  | 'cwd-missing'
  | 'login-env-timeout'
  | 'login-env-failed'
  | 'forwarding-refused'
  | 'passphrase-required'
  | 'spawn-failed'
  | 'unknown';

/**
 * Every {@link SshFailureKind}, for exhaustive switches and UI pickers.
 *
 * @example
 * ```ts
 * SSH_FAILURE_KINDS.includes('dns'); // true
 * ```
 */
export const SSH_FAILURE_KINDS: readonly SshFailureKind[] = Object.freeze([
  'auth-failed',
  'host-key-changed',
  'host-key-unknown',
  'connection-refused',
  'timeout',
  'host-unreachable',
  'dns',
  'connection-closed',
  'key-unreadable',
  'agent-not-found',
  'cwd-missing',
  'login-env-timeout',
  'login-env-failed',
  'forwarding-refused',
  'passphrase-required',
  'spawn-failed',
  'unknown',
] as const);

/**
 * What to do about each {@link SshFailureKind}, for a human. The auth, agent, cwd and timeout
 * hints follow the reference doc's troubleshooting section.
 *
 * @example
 * ```ts
 * console.error(SSH_FAILURE_HINTS['agent-not-found']);
 * ```
 */
export const SSH_FAILURE_HINTS: Readonly<Record<SshFailureKind, string>> = Object.freeze({
  'auth-failed':
    'Verify the SSH key is correct and readable, check its public key is in the remote ~/.ssh/authorized_keys, ' +
    'ensure BatchMode=yes does not conflict with your setup, or try useSshConfig: true to use ~/.ssh/config.',
  'host-key-changed':
    "The server's host key does not match the one in known_hosts. " +
    "If the server was reinstalled, verify the new fingerprint, then remove the old entry with ssh-keygen -R '[host]:port'; " +
    'otherwise treat it as a possible man-in-the-middle attack.',
  'host-key-unknown':
    "The known-hosts file has no key for this host and hostKeyPolicy: 'strict' (StrictHostKeyChecking=yes) does not add one. " +
    "Get the key with ssh-keyscan -p <port> <host>, check its fingerprint (ssh-keygen -lf <file>) against one obtained out of band, " +
    "then append it to the knownHostsFile; or use hostKeyPolicy: 'accept-new' to trust it on first use.",
  'connection-refused':
    'Nothing accepts connections on that host and port: check the port number, that sshd is running on the remote, and firewall rules.',
  timeout:
    'Increase ConnectTimeout in customOptions, add ServerAliveInterval to keep the connection alive, check firewall rules, ' +
    'and verify network connectivity.',
  'host-unreachable': 'Verify network connectivity (VPN, routes) and check firewall rules between this machine and the remote.',
  dns: 'Check the host name for typos and that DNS resolves it, or use a ~/.ssh/config Host alias with useSshConfig: true.',
  'connection-closed':
    'The server closed the connection before the SSH handshake finished: check that the port belongs to an SSH server, ' +
    "and the server's connection limits (MaxStartups), fail2ban or firewall rules.",
  'key-unreadable':
    'Verify the private key path is correct and the file is readable by this user; set its permissions to 600 ' +
    '(chmod 600 ~/.ssh/id_ed25519).',
  'agent-not-found':
    "Give the command's full path (e.g. /usr/local/bin/claude), check it is installed on the remote host for this user, add " +
    "its directory with remotePath, or use remoteEnvironment: 'login' for the PATH the login shell builds; agentBinaryName " +
    "must be the binary's name on the remote.",
  'cwd-missing':
    'Use an absolute path for cwd, set workingDirOverride in the agent SSH config, verify the directory exists on the ' +
    'remote host, and check the permissions on the remote directory.',
  'login-env-timeout':
    "A startup file of the remote login shell (~/.profile, ~/.bash_profile, ~/.zprofile, config.fish, ~/.login) waits " +
    "for input or runs long: guard interactive parts ([ -t 0 ], case $- in *i*, status is-interactive, $?prompt), raise " +
    "remoteEnvironment: { mode: 'login', timeoutSeconds }, or use the default environment with remotePath.",
  'login-env-failed':
    'The remote login shell exited before it reported its environment: run `$SHELL -l -c true` on the remote to see ' +
    "why (a startup file that calls exit, an unset SHELL, a shell that refuses -l -c), or use the default environment with remotePath.",
  'forwarding-refused':
    'The SSH server refuses this forwarding: ask its administrator for AllowTcpForwarding yes (ports) or ' +
    'AllowStreamLocalForwarding yes (unix sockets) in sshd_config, for your user or a Match block, and check PermitOpen ' +
    '/ PermitListen and the authorized_keys options (restrict, no-port-forwarding).',
  'passphrase-required':
    'The private key is encrypted and BatchMode=yes stops ssh from asking for its passphrase: load it into ssh-agent ' +
    '(ssh-add) or use a key without a passphrase.',
  'spawn-failed': 'Install the OpenSSH client (ssh must be on PATH) or pass sshPath; E2BIG means the local environment is too large.',
  unknown: 'Run the same ssh command by hand with -v to see what ssh reports.',
});
