import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';

const OPENSSH_MAGIC = 'openssh-key-v1\0';

/**
 * Whether a private key file is passphrase-protected: the OpenSSH format names its cipher
 * (`none` when clear), PEM keys say `ENCRYPTED`. `undefined` when the file cannot be read or
 * is not a key. Needed because ssh under BatchMode reports an encrypted key only as
 * "Permission denied (publickey)".
 *
 * @example
 * ```ts
 * await isEncryptedPrivateKey('~/.ssh/id_ed25519'); // false
 * ```
 */
export async function isEncryptedPrivateKey(path: string): Promise<boolean | undefined> {
  const file = path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path;
  let text: string;
  try {
    text = await readFile(file, { encoding: 'utf8', flag: 'r' });
  } catch {
    return undefined;
  }
  if (text.length > 1_000_000) return undefined;
  const openssh = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text);
  if (openssh) {
    const blob = Buffer.from(openssh[1]!.replace(/\s+/g, ''), 'base64');
    if (blob.length < OPENSSH_MAGIC.length + 4 || blob.toString('latin1', 0, OPENSSH_MAGIC.length) !== OPENSSH_MAGIC) return undefined;
    const length = blob.readUInt32BE(OPENSSH_MAGIC.length);
    const cipher = blob.toString('latin1', OPENSSH_MAGIC.length + 4, OPENSSH_MAGIC.length + 4 + length);
    return cipher !== 'none';
  }
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(text)) return true;
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) return /Proc-Type:\s*4,ENCRYPTED/.test(text);
  return undefined;
}
