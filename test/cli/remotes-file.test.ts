import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { defaultRemotesFile, findRemoteInFile, loadRemotesFile } from '../../src/cli/remotes-file.js';
import { tempDir } from './helpers.js';

const tmp = tempDir('sshwrap-remotes-');
afterAll(() => tmp.cleanup());

const good = { id: 'gpu', name: 'GPU', host: 'gpu.example.com', username: 'dev' };

describe('defaultRemotesFile', () => {
  it('prefers an absolute XDG_CONFIG_HOME, else ~/.config', () => {
    expect(defaultRemotesFile({ XDG_CONFIG_HOME: '/cfg', HOME: '/home/me' })).toBe('/cfg/sshwrap/remotes.json');
    expect(defaultRemotesFile({ XDG_CONFIG_HOME: 'relative', HOME: '/home/me' })).toBe('/home/me/.config/sshwrap/remotes.json');
    expect(defaultRemotesFile({ HOME: '/home/me' })).toBe('/home/me/.config/sshwrap/remotes.json');
  });
});

describe('loadRemotesFile', () => {
  it('reads a plain array', async () => {
    const file = tmp.write('array.json', JSON.stringify([good]));
    const loaded = await loadRemotesFile(file);
    expect(loaded).toMatchObject({ file, exists: true, invalid: [] });
    expect(loaded.remotes).toEqual([expect.objectContaining({ id: 'gpu', port: 22, useSshConfig: false })]);
  });

  it('reads { "sshRemotes": [...] } and ignores the other settings', async () => {
    const file = tmp.write('settings.json', JSON.stringify({ theme: 'dark', sshRemotes: [good] }));
    expect((await loadRemotesFile(file)).remotes.map((r) => r.id)).toEqual(['gpu']);
  });

  it('keeps going past one bad entry and names it; picking it reports its own error', async () => {
    const file = tmp.write('one-bad.json', JSON.stringify([good, { id: 'evil', host: '-oProxyCommand=x' }, { host: 'no-id' }, { ...good, name: 'dup' }]));
    const loaded = await loadRemotesFile(file);
    expect(loaded.remotes.map((r) => r.id)).toEqual(['gpu']);
    expect(loaded.invalid).toEqual([
      { index: 1, id: 'evil', message: expect.stringContaining('host must not start with "-"') },
      { index: 2, id: undefined, message: expect.stringContaining('id') },
      { index: 3, id: 'gpu', message: 'duplicate id "gpu"; the first entry with it is used' },
    ]);
    expect(findRemoteInFile(loaded, 'gpu')?.name).toBe('GPU');
    expect(findRemoteInFile(loaded, 'missing')).toBeUndefined();
    const error = (() => {
      try {
        findRemoteInFile(loaded, 'evil');
      } catch (e) {
        return e as SshWrapError;
      }
    })();
    expect(error).toBeInstanceOf(SshWrapError);
    expect(error?.code).toBe('UNSAFE_ARGUMENT');
    expect(error?.message).toMatch(new RegExp(`^remotes file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, entry \\[1\\] "evil": `));
  });

  it('explains bad JSON with the file name', async () => {
    const file = tmp.write('bad.json', '{ "sshRemotes": [ ');
    await expect(loadRemotesFile(file)).rejects.toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringMatching(/^remotes file .*bad\.json: not valid JSON/) });
  });

  it.each([['{}'], ['"x"'], ['{"sshRemotes": {}}'], ['null']])('refuses the shape %s', async (text) => {
    const file = tmp.write(`shape-${text.length}.json`, text);
    await expect(loadRemotesFile(file)).rejects.toThrow(/expected an array of remotes or an object with an "sshRemotes" array/);
  });

  it('treats a missing default file as empty but a missing --remotes file as an error', async () => {
    const env = { XDG_CONFIG_HOME: path.join(tmp.dir, 'empty-xdg') };
    expect(await loadRemotesFile(undefined, env)).toMatchObject({ exists: false, remotes: [], file: path.join(tmp.dir, 'empty-xdg', 'sshwrap', 'remotes.json') });
    await expect(loadRemotesFile(path.join(tmp.dir, 'nope.json'))).rejects.toThrow(/cannot read it \(ENOENT\)/);
  });

  it('reads the default file from XDG_CONFIG_HOME', async () => {
    tmp.write('xdg/sshwrap/remotes.json', JSON.stringify([good]));
    expect((await loadRemotesFile(undefined, { XDG_CONFIG_HOME: path.join(tmp.dir, 'xdg') })).remotes).toHaveLength(1);
  });
});
