import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listSshConfigHosts } from '../../src/resolve/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sshwrap-hosts-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function configFile(text: string): string {
  const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(file, text);
  return file;
}

describe('listSshConfigHosts', () => {
  it('lists concrete Host names in file order, once, skipping patterns, negations and Match', async () => {
    const file = configFile(
      [
        'Host *',
        '  ServerAliveInterval 30',
        'Host app db *.corp !bastion',
        '  User dev',
        'host lower',
        'Host=eq',
        'Match host special',
        '  User x',
        'Host db web?',
        'Host "two words"',
        'Include other.conf',
        '',
      ].join('\n'),
    );
    expect(await listSshConfigHosts(file)).toEqual(['app', 'db', 'lower', 'eq']);
  });

  it('does not follow Include', async () => {
    const included = configFile('Host hidden\n');
    expect(await listSshConfigHosts(configFile(`Include ${included}\nHost shown\n`))).toEqual(['shown']);
  });

  it('is an error for an explicit file that does not exist', async () => {
    await expect(listSshConfigHosts(path.join(dir, 'missing'))).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
  });

  it('returns [] for an empty file', async () => {
    expect(await listSshConfigHosts(configFile(''))).toEqual([]);
  });
});
