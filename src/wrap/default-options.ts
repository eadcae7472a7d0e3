/**
 * The ssh options every connection gets, exactly the reference contract's object and order:
 * key-only auth, accept new host keys but refuse changed ones, a 10 s connect timeout, no
 * forwardings, no tty. `customOptions` on a remote override any of them by name.
 *
 * @example
 * ```ts
 * DEFAULT_SSH_OPTIONS.ConnectTimeout; // '10'
 * ```
 */
export const DEFAULT_SSH_OPTIONS: Readonly<Record<string, string>> = Object.freeze({
  BatchMode: 'yes',
  StrictHostKeyChecking: 'accept-new',
  ConnectTimeout: '10',
  ClearAllForwardings: 'yes',
  RequestTTY: 'no',
});

/**
 * Options sshwrap adds after {@link DEFAULT_SSH_OPTIONS} (also overridable by `customOptions`):
 * - `LogLevel=ERROR`: keeps "Warning: Permanently added … to the list of known hosts" out of the
 *   agent's stderr; real failures (auth, host key, connect) are still printed at ERROR.
 * - `ForwardAgent=no`, `ForwardX11=no`: a remote agent process must not reach local credentials,
 *   whatever ~/.ssh/config says.
 * - `ServerAliveInterval=15`, `ServerAliveCountMax=3`: a dead server or network is noticed in
 *   about 45 s instead of hanging until TCP gives up.
 *
 * @example
 * ```ts
 * Object.keys(SSHWRAP_SSH_OPTIONS); // ['LogLevel', 'ForwardAgent', 'ForwardX11', 'ServerAliveInterval', 'ServerAliveCountMax']
 * ```
 */
export const SSHWRAP_SSH_OPTIONS: Readonly<Record<string, string>> = Object.freeze({
  LogLevel: 'ERROR',
  ForwardAgent: 'no',
  ForwardX11: 'no',
  ServerAliveInterval: '15',
  ServerAliveCountMax: '3',
});
