import os from 'node:os';

/**
 * What `%` tokens in an IdentityFile stand for (ssh_config(5), TOKENS).
 *
 * @example
 * ```ts
 * const values: SshTokenValues = { hostArg: 'app', hostname: 'app.corp', user: 'dev', port: 22 };
 * ```
 */
export interface SshTokenValues {
  /** `%n`: the host as given on the command line. */
  hostArg: string;
  /** `%h`: the remote hostname after `HostName`. */
  hostname: string;
  /** `%r`: the remote user. */
  user: string;
  /** `%p`: the remote port. */
  port: number;
  /** `%j`: the ProxyJump value, empty when there is none. */
  proxyJump?: string | undefined;
  /** `%k`: HostKeyAlias, or the host argument. */
  hostKeyAlias?: string | undefined;
}

interface LocalValues {
  home: string;
  user: string;
  uid: string;
  hostname: string;
}

function localValues(): LocalValues {
  const info = os.userInfo();
  return { home: info.homedir, user: info.username, uid: String(info.uid), hostname: os.hostname() };
}

/**
 * Expands an IdentityFile path the way ssh does when it loads the key: a leading `~` or `~/`,
 * `${VAR}` from the environment, then `%` tokens.
 *
 * Needed because `ssh -G` (OpenSSH 9.x) prints IdentityFile values before expansion, while
 * callers want the file ssh will actually read. `%C` is left as written: it is a hash whose
 * inputs differ between OpenSSH versions, and a wrong guess is worse than the literal.
 *
 * @example
 * ```ts
 * expandIdentityFile('~/.ssh/id_%h_%r', { hostArg: 'app', hostname: 'app.corp', user: 'dev', port: 22 });
 * // => '/home/me/.ssh/id_app.corp_dev'
 * ```
 */
export function expandIdentityFile(path: string, values: SshTokenValues, env: NodeJS.ProcessEnv = process.env): string {
  const local = localValues();
  let out = path;
  if (out === '~' || out.startsWith('~/')) out = local.home + out.slice(1);
  // ssh refuses an unset ${VAR}; keeping it literal shows the user what could not be expanded.
  out = out.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => env[name] ?? whole);
  const tokens: Record<string, string> = {
    '%': '%',
    d: local.home,
    h: values.hostname,
    i: local.uid,
    j: values.proxyJump ?? '',
    k: values.hostKeyAlias ?? values.hostArg,
    L: local.hostname.split('.')[0] ?? local.hostname,
    l: local.hostname,
    n: values.hostArg,
    p: String(values.port),
    r: values.user,
    u: local.user,
  };
  return out.replace(/%(.)/g, (whole, key: string) => tokens[key] ?? whole);
}
