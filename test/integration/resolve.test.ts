import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  clearSshConfigCache,
  describeEffectiveRemote,
  listSshConfigHosts,
  resolveSshConfigHost,
} from '../../src/resolve/index.js';
import { parseSshRemoteConfig } from '../../src/schemas/index.js';

// Real `ssh -G` on real files: no sshd involved, ssh only prints the configuration it would use.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sshwrap-resolve-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeEach(() => clearSshConfigCache());

const included = path.join(dir, 'included.conf');
const mainConfig = path.join(dir, 'config');
fs.writeFileSync(included, ['Host app', '  User incuser', ''].join('\n'));
fs.writeFileSync(
  mainConfig,
  [
    // Include is read where it stands, so its User comes first and wins.
    `Include ${included}`,
    'Host app',
    '  HostName %h.corp.example',
    '  User mainuser',
    '  Port 2222',
    '  IdentityFile ~/.ssh/id_%h_%r',
    `  IdentityFile ${dir}/keys/%n-%p.key`,
    'Host app',
    '  Port 3333',
    // Evaluated after HostName substitution: app -> app.corp.example.
    'Match host *.corp.example',
    '  ProxyJump jump.corp.example',
    '  Port 4444',
    'Host other',
    '  HostName other.example',
    'Match user bob',
    '  Port 5555',
    '',
  ].join('\n'),
);

describe('resolveSshConfigHost with a real ssh -G', () => {
  it('follows Include, Match host, %h in HostName and keeps the first value of each option', async () => {
    const app = await resolveSshConfigHost('app', { configFile: mainConfig });
    expect(app.hostname).toBe('app.corp.example');
    expect(app.user).toBe('incuser');
    expect(app.port).toBe(2222);
    expect(app.jumpHosts).toEqual(['jump.corp.example']);
    expect(app.options.user).toEqual(['incuser']);
  });

  it('reports IdentityFile as ssh prints it and expanded as ssh will load it', async () => {
    const app = await resolveSshConfigHost('app', { configFile: mainConfig });
    expect(app.identityFiles).toEqual([
      path.join(os.userInfo().homedir, '.ssh', 'id_app.corp.example_incuser'),
      `${dir}/keys/app-2222.key`,
    ]);
    // OpenSSH 9.2 prints the unexpanded form; accept an ssh that expands it itself.
    expect([['~/.ssh/id_%h_%r', `${dir}/keys/%n-%p.key`], app.identityFiles]).toContainEqual(app.options.identityfile);
  });

  it('evaluates Match user against the user given by the remote', async () => {
    expect((await resolveSshConfigHost('other', { configFile: mainConfig })).port).toBe(22);
    const bob = parseSshRemoteConfig({ id: 'o', host: 'other', username: 'bob', useSshConfig: true });
    expect(await describeEffectiveRemote(bob, { configFile: mainConfig })).toEqual({
      user: 'bob', hostname: 'other.example', port: 5555, source: 'ssh-config',
    });
    const pinned = parseSshRemoteConfig({ id: 'o', host: 'app', username: 'bob', port: 2022, useSshConfig: true });
    expect(await describeEffectiveRemote(pinned, { configFile: mainConfig })).toEqual({
      user: 'bob', hostname: 'app.corp.example', port: 2022, source: 'ssh-config',
    });
  });

  it('turns a config syntax error into INVALID_CONFIG carrying ssh stderr', async () => {
    const bad = path.join(dir, 'bad.conf');
    fs.writeFileSync(bad, 'Host x\n  NoSuchOption yes\n');
    await expect(resolveSshConfigHost('x', { configFile: bad })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringMatching(/Bad configuration option: nosuchoption/i),
    });
    await expect(resolveSshConfigHost('x', { configFile: path.join(dir, 'missing') })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringMatching(/No such file or directory/),
    });
  });

  it('reports a missing ssh binary as SPAWN_FAILED', async () => {
    await expect(resolveSshConfigHost('x', { sshPath: path.join(dir, 'no-ssh-here') })).rejects.toMatchObject({ code: 'SPAWN_FAILED' });
  });

  it('lists only the concrete Host names of the file itself', async () => {
    expect(await listSshConfigHosts(mainConfig)).toEqual(['app', 'other']);
  });
});
