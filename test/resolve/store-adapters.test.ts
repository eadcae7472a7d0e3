import { describe, expect, it, vi } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { createMemoryStoreAdapter, createSshRemoteStoreAdapter, resolveSshRemote } from '../../src/resolve/index.js';
import { buildSshArgs } from '../../src/wrap/index.js';

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

// Maestro's exact stored shape for a remote whose user and key come from ~/.ssh/config.
const MAESTRO_SSH_CONFIG_REMOTE = { id: 'm1', name: 'Dev box', host: 'devbox', port: 22, useSshConfig: true, username: '', privateKeyPath: '' };

describe("Maestro's stored remotes with empty username/privateKeyPath", () => {
  it.each(['settings', 'memory'] as const)('are listed and resolved by the %s adapter; ssh gets the bare host and no -i', async (kind) => {
    const onInvalidRemote = vi.fn();
    const store = kind === 'settings'
      ? createSshRemoteStoreAdapter(new Map<string, unknown>([['sshRemotes', [MAESTRO_SSH_CONFIG_REMOTE]]]), { onInvalidRemote })
      : createMemoryStoreAdapter([MAESTRO_SSH_CONFIG_REMOTE], { onInvalidRemote });
    expect((await store.getSshRemotes()).map((remote) => remote.id)).toEqual(['m1']);
    expect(onInvalidRemote).not.toHaveBeenCalled();
    const remote = await resolveSshRemote({ enabled: true, remoteId: 'm1' }, store);
    expect(remote).not.toHaveProperty('username');
    expect(remote).not.toHaveProperty('privateKeyPath');
    const args = buildSshArgs(remote!, 'true');
    expect(args.slice(-3)).toEqual(['--', 'devbox', 'true']);
    expect(args).not.toContain('-i');
    expect(args.some((arg) => /^(IdentitiesOnly|UserKnownHostsFile)=/.test(arg))).toBe(false);
  });
});

describe('invalid stored entries are reported, never dropped silently', () => {
  const stored = () => [good, { ...bad, passphrase: 'pp-secret' }, 'garbage'];

  it.each(['settings', 'memory'] as const)('%s adapter: lists the valid ones and reports each invalid one with its error', async (kind) => {
    const reports: Array<[unknown, SshWrapError]> = [];
    const onInvalidRemote = (entry: unknown, error: SshWrapError) => reports.push([entry, error]);
    const store = kind === 'settings'
      ? createSshRemoteStoreAdapter({ get: () => stored() }, { onInvalidRemote })
      : createMemoryStoreAdapter(stored(), { onInvalidRemote });
    expect((await store.getSshRemotes()).map((remote) => remote.id)).toEqual(['a']);
    expect(reports).toHaveLength(2);
    expect(reports[0]![0]).toEqual({ id: 'b', name: 'B', host: '-oProxyCommand=x' });
    expect(reports[0]![1]).toBeInstanceOf(SshWrapError);
    expect(reports[0]![1]).toMatchObject({ code: 'UNSAFE_ARGUMENT', field: 'host' });
    expect(reports[1]).toEqual(['garbage', expect.objectContaining({ code: 'INVALID_CONFIG' })]);
    // The passphrase of a broken entry is not handed to a logger.
    expect(JSON.stringify(reports.map(([entry]) => entry))).not.toContain('pp-secret');
    await expect(resolveSshRemote({ enabled: true, remoteId: 'b' }, store)).rejects.toMatchObject({ code: 'UNSAFE_ARGUMENT', field: 'host' });
  });

  it('keeps accepting the settings key as a plain string, or as options.key', async () => {
    const settings = new Map<string, unknown>([['remotes', [good]]]);
    expect(await createSshRemoteStoreAdapter(settings, 'remotes').getSshRemotes()).toHaveLength(1);
    expect(await createSshRemoteStoreAdapter(settings, { key: 'remotes' }).getSshRemotes()).toHaveLength(1);
    expect(await createSshRemoteStoreAdapter(settings).getSshRemotes()).toHaveLength(0);
  });

  it('names the field when an invalid entry is resolved by id', async () => {
    const store = createSshRemoteStoreAdapter({ get: () => [{ ...good, privateKeyPath: '-oProxyCommand=x' }] });
    await expect(resolveSshRemote({ enabled: true, remoteId: 'a' }, store)).rejects.toMatchObject({ code: 'UNSAFE_ARGUMENT', field: 'privateKeyPath' });
  });
});
