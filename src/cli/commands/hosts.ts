import { defaultSshConfigFile, listSshConfigHosts } from '../../resolve/index.js';
import type { SshRemoteConfig } from '../../schemas/index.js';
import { sshDestination } from '../../wrap/index.js';
import { parseCommandLine } from '../args.js';
import { EXIT } from '../exit-codes.js';
import { HELP } from '../help.js';
import type { CliIo } from '../io.js';
import { loadRemotesFile, type RemotesFile } from '../remotes-file.js';
import { UsageError } from '../usage-error.js';

const FLAGS = {
  remotes: { type: 'string' },
  'ssh-config': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function summary(remote: SshRemoteConfig): Record<string, unknown> {
  return {
    id: remote.id,
    name: remote.name,
    host: remote.host,
    port: remote.port,
    ...(remote.username ? { username: remote.username } : {}),
    useSshConfig: remote.useSshConfig,
    enabled: remote.enabled,
  };
}

function remoteLine(remote: SshRemoteConfig): string {
  const address = `${sshDestination(remote)}${remote.useSshConfig && remote.port === 22 ? '' : `:${remote.port}`}`;
  const flags = [remote.useSshConfig ? 'ssh-config' : '', remote.enabled ? '' : 'disabled'].filter(Boolean).join(', ');
  return `  ${remote.id}  ${address}${remote.name && remote.name !== remote.id ? `  "${remote.name}"` : ''}${flags ? `  (${flags})` : ''}\n`;
}

function textReport(remotes: RemotesFile, sshConfigFile: string, hosts: string[]): string {
  let out = `Remotes (${remotes.file}${remotes.exists ? '' : ', absent'}):\n`;
  if (remotes.remotes.length === 0 && remotes.invalid.length === 0) out += '  (none)\n';
  for (const remote of remotes.remotes) out += remoteLine(remote);
  for (const bad of remotes.invalid) out += `  [${bad.index}]${bad.id ? ` ${bad.id}` : ''}  INVALID: ${bad.message}\n`;
  out += `\nSSH config hosts (${sshConfigFile}):\n`;
  out += hosts.length === 0 ? '  (none)\n' : hosts.map((host) => `  ${host}\n`).join('');
  return out;
}

/**
 * `sshwrap hosts`: the remotes file's remotes (invalid entries flagged) and the concrete Host
 * names of the ssh config file.
 *
 * @example
 * ```ts
 * await hostsCommand(['--json'], io); // { remotesFile, remotes, invalidRemotes, sshConfigFile, sshConfigHosts }
 * ```
 */
export async function hostsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(argv, FLAGS, 'hosts');
  if (parsed.values.help) {
    io.stdout.write(HELP.hosts);
    return EXIT.OK;
  }
  const extra = [...parsed.positionals, ...(parsed.rest ?? [])];
  if (extra.length > 0) throw new UsageError(`hosts: unexpected argument "${extra[0]}"`, 'hosts');
  const remotes = await loadRemotesFile(parsed.values.remotes, io.env);
  const sshConfigFile = parsed.values['ssh-config'] ?? defaultSshConfigFile();
  const hosts = await listSshConfigHosts(parsed.values['ssh-config']);
  if (parsed.values.json) {
    const report = {
      remotesFile: remotes.file,
      remotes: remotes.remotes.map(summary),
      invalidRemotes: remotes.invalid,
      sshConfigFile,
      sshConfigHosts: hosts,
    };
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    io.stdout.write(textReport(remotes, sshConfigFile, hosts));
  }
  return EXIT.OK;
}
