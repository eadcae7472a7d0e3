import { runSshG, type ResolveSshConfigOptions } from './ssh-config.js';

/**
 * The private key files ssh tries for one connection, in order, as ssh itself resolves them:
 * `ssh -G` with the run's own arguments (so `-F`, `-i`, `-o IdentityFile=…` and
 * ~/.ssh/config's `IdentityFile` lines for that host, `Match` included, all count), with `~`,
 * `${VAR}` and `%` tokens expanded. Without any configured key, ssh's defaults
 * (`~/.ssh/id_rsa`, `~/.ssh/id_ed25519`, …) are what it lists.
 *
 * `sshArgs` are the arguments of the ssh call (without `ssh`), up to the destination; anything
 * after the first `--` and the destination (the remote command) is dropped. Results are cached
 * like {@link resolveSshConfigHost}'s.
 *
 * @throws {SshWrapError} as {@link resolveSshConfigHost} does (`INVALID_CONFIG` when ssh rejects
 *   the arguments or config, `SPAWN_FAILED` when ssh cannot be run).
 * @example
 * ```ts
 * await resolveIdentityFiles('gpu', ['-F', './ssh_config', '--', 'dev@gpu']);
 * // ['/home/me/.ssh/id_gpu']
 * ```
 */
export async function resolveIdentityFiles(host: string, sshArgs: readonly string[], options: ResolveSshConfigOptions = {}): Promise<string[]> {
  const end = sshArgs.indexOf('--');
  const args = end < 0 ? sshArgs : sshArgs.slice(0, end + 2);
  return (await runSshG(host, args, options)).identityFiles;
}
