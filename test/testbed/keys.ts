import fs from 'node:fs';
import { run } from './exec.js';

/** Generates an ed25519 key pair and returns the public key line. */
export async function generateKey(path: string, opts: { passphrase?: string; comment: string }): Promise<string> {
  // ssh-keygen prompts "Overwrite (y/n)?" on an existing file, which would hang.
  fs.rmSync(path, { force: true });
  fs.rmSync(`${path}.pub`, { force: true });
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', opts.passphrase ?? '', '-C', opts.comment, '-f', path]);
  fs.chmodSync(path, 0o600);
  return fs.readFileSync(`${path}.pub`, 'utf8').trim();
}

/** The known_hosts line ssh expects for a non-22 port. */
export function knownHostsLine(host: string, port: number, hostPublicKey: string): string {
  const [type, blob] = hostPublicKey.split(/\s+/);
  return `[${host}]:${port} ${type} ${blob}\n`;
}
