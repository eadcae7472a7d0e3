import { SshWrapError } from '../errors/index.js';
import { defaultSshConfigFile, listSshConfigHosts } from '../resolve/index.js';
import { parseSshRemoteConfig, type SshRemoteConfig } from '../schemas/index.js';
import { findRemoteInFile, loadRemotesFile } from './remotes-file.js';

/**
 * A `<remote>` argument resolved to a validated remote, and where it came from.
 *
 * @example
 * ```ts
 * const { remote, source, file }: PickedRemote = await pickRemote('gpu-1');
 * ```
 */
export interface PickedRemote {
  remote: SshRemoteConfig;
  /** `'remotes-file'`: an id in the remotes file; `'ssh-config'`: a Host in the ssh config file. */
  source: 'remotes-file' | 'ssh-config';
  /** The file it was found in. */
  file: string;
}

/**
 * Where to look for `<remote>`.
 *
 * @example
 * ```ts
 * const options: PickRemoteOptions = { remotesFile: './remotes.json', sshConfigFile: '/etc/ssh/ssh_config' };
 * ```
 */
export interface PickRemoteOptions {
  /** `--remotes`; `undefined` means the default file, which may be absent. */
  remotesFile?: string | undefined;
  /** `--ssh-config`; `undefined` means ~/.ssh/config. */
  sshConfigFile?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

/**
 * Resolves a `<remote>` argument: an id from the remotes file first, else a concrete `Host` from
 * the ssh config file, which becomes `{ id: host, name: host, host, useSshConfig: true }` so ssh
 * applies that Host block. Anything else is refused rather than guessed at: a typo must not
 * connect to whatever the name happens to resolve to.
 *
 * @throws {SshWrapError} `REMOTE_NOT_FOUND` when neither source has it; the remotes file's errors.
 * @example
 * ```ts
 * const { remote, source } = await pickRemote('gpu-1', { remotesFile: './remotes.json' });
 * ```
 */
export async function pickRemote(name: string, options: PickRemoteOptions = {}): Promise<PickedRemote> {
  const remotes = await loadRemotesFile(options.remotesFile, options.env);
  const fromFile = findRemoteInFile(remotes, name);
  if (fromFile) return { remote: fromFile, source: 'remotes-file', file: remotes.file };

  const sshConfigFile = options.sshConfigFile ?? defaultSshConfigFile();
  const hosts = await listSshConfigHosts(options.sshConfigFile);
  if (hosts.includes(name)) {
    return {
      remote: parseSshRemoteConfig({ id: name, name, host: name, useSshConfig: true }),
      source: 'ssh-config',
      file: sshConfigFile,
    };
  }
  throw new SshWrapError('REMOTE_NOT_FOUND', `unknown remote "${name}": no remote with that id in ${remotes.file}${remotes.exists ? '' : ' (absent)'} and no "Host ${name}" in ${sshConfigFile}`, {
    field: 'remote',
    hint: "'sshwrap hosts' lists both; add the remote to the remotes file or a Host entry to the ssh config.",
  });
}
