import { describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { createMemoryStoreAdapter, createSshRemoteStoreAdapter, resolveSshRemote } from '../../src/resolve/index.js';

const good = { id: 'a', name: 'A', host: 'host-a', useSshConfig: true };
const bad = { id: 'b', name: 'B', host: '-oProxyCommand=x' };

describe('createSshRemoteStoreAdapter', () => {
  it('reads sshRemotes from any get(key, default) store and keeps good entries beside bad ones', async () => {
    const settings = new Map<string, unknown>([['sshRemotes', [good, bad, 'garbage', null]]]);
    const store = createSshRemoteStoreAdapter({ get: (key, fallback) => settings.get(key) ?? fallback });
    expect((await store.getSshRemotes()).map((r) => r.id)).toEqual(['a']);
    await expect(resolveSshRemote({ enabled: true, remoteId: 'a' }, store)).resolves.toMatchObject({ host: 'host-a', port: 22 });
    await expect(resolveSshRemote({ enabled: true, remoteId: 'b' }, store)).rejects.toMatchObject({ code: 'UNSAFE_ARGUMENT', field: 'host' });
  });

  it('treats a missing or non-array key as no remotes', async () => {
    const store = createSshRemoteStoreAdapter({ get: (_key, fallback) => fallback });
    expect(await store.getSshRemotes()).toEqual([]);
    const odd = createSshRemoteStoreAdapter({ get: () => 'nope' });
    expect(await odd.getSshRemotes()).toEqual([]);
  });

  it('sees edits to the underlying store', async () => {
    const data: { sshRemotes: unknown[] } = { sshRemotes: [] };
    const store = createSshRemoteStoreAdapter({ get: (key) => data[key as 'sshRemotes'] });
    data.sshRemotes.push(good);
    expect(await store.getSshRemotes()).toHaveLength(1);
  });
});

describe('resolveSshRemote', () => {
  const store = createMemoryStoreAdapter([good, { ...good, id: 'off', enabled: false }]);
  it('returns null when SSH is off', async () => {
    expect(await resolveSshRemote(undefined, store)).toBeNull();
    expect(await resolveSshRemote({ enabled: false, remoteId: 'a' }, store)).toBeNull();
    expect(await resolveSshRemote({ enabled: true, remoteId: null }, store)).toBeNull();
  });

  it('throws REMOTE_NOT_FOUND for unknown and disabled remotes', async () => {
    for (const remoteId of ['zzz', 'off']) {
      const error = await resolveSshRemote({ enabled: true, remoteId }, store).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SshWrapError);
      expect(error).toMatchObject({ code: 'REMOTE_NOT_FOUND', field: 'remoteId' });
    }
  });

  it('works with a plain Maestro-style adapter that only has getSshRemotes (sync or async)', async () => {
    const plain = { getSshRemotes: () => [good] };
    expect(await resolveSshRemote({ enabled: true, remoteId: 'a' }, plain)).toMatchObject({ id: 'a' });
    const asyncPlain = { getSshRemotes: async () => [good] };
    expect(await resolveSshRemote({ enabled: true, remoteId: 'a' }, asyncPlain)).toMatchObject({ id: 'a' });
  });
});

describe('passphrase handling', () => {
  it('is readable but never serialised, spread or written back', async () => {
    const { parseSshRemoteConfig } = await import('../../src/schemas/index.js');
    const remote = parseSshRemoteConfig({ ...good, passphrase: 'pp-very-secret' });
    expect(remote.passphrase).toBe('pp-very-secret');
    expect(JSON.stringify(remote)).not.toContain('pp-very-secret');
    expect({ ...remote }).not.toHaveProperty('passphrase');

    const settings = new Map<string, unknown>();
    const store = createSshRemoteStoreAdapter(settings);
    store.setSshRemotes([{ ...good, passphrase: 'pp-very-secret', appColor: 'red' }, remote]);
    const saved = settings.get('sshRemotes') as Array<Record<string, unknown>>;
    expect(saved.map((entry) => 'passphrase' in entry)).toEqual([false, false]);
    expect(JSON.stringify(saved)).not.toContain('pp-very-secret');
    // Keys the app stored and this library does not know are kept.
    expect(saved[0]!.appColor).toBe('red');
    expect((await store.getSshRemotes()).map((r) => r.id)).toEqual(['a', 'a']);
  });

  it('refuses to save an invalid remote', () => {
    const store = createSshRemoteStoreAdapter(new Map<string, unknown>());
    expect(() => store.setSshRemotes([bad])).toThrow(SshWrapError);
  });
});
