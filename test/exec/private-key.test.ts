import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isEncryptedPrivateKey } from '../../src/exec/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sshwrap-keys-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const target = path.join(dir, name);
  fs.writeFileSync(target, content, { mode: 0o600 });
  return target;
}

/** The OpenSSH private key container with just enough fields for the cipher name to be read. */
function opensshKey(cipher: string): string {
  const name = Buffer.from(cipher);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(name.length);
  const blob = Buffer.concat([Buffer.from('openssh-key-v1\0', 'latin1'), length, name, Buffer.alloc(32)]);
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${blob.toString('base64').replace(/.{70}/g, '$&\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

describe('isEncryptedPrivateKey', () => {
  it('reads the OpenSSH cipher name', async () => {
    expect(await isEncryptedPrivateKey(file('clear', opensshKey('none')))).toBe(false);
    expect(await isEncryptedPrivateKey(file('aes', opensshKey('aes256-ctr')))).toBe(true);
  });

  it('recognises PKCS#8 and legacy PEM encryption', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const clear = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const encrypted = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string;
    expect(await isEncryptedPrivateKey(file('pkcs8', clear))).toBe(false);
    expect(await isEncryptedPrivateKey(file('pkcs8-enc', encrypted))).toBe(true);
    const legacy = '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n';
    expect(await isEncryptedPrivateKey(file('legacy', legacy))).toBe(true);
  });

  it('is undefined for missing files and non-keys', async () => {
    expect(await isEncryptedPrivateKey(path.join(dir, 'missing'))).toBeUndefined();
    expect(await isEncryptedPrivateKey(file('junk', 'not a key'))).toBeUndefined();
    expect(await isEncryptedPrivateKey(file('short', '-----BEGIN OPENSSH PRIVATE KEY-----\nAA==\n-----END OPENSSH PRIVATE KEY-----\n'))).toBeUndefined();
  });
});
