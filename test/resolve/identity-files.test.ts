import { describe, expect, it } from 'vitest';
import { clearSshConfigCache, createSshRemoteStoreAdapter, resolveIdentityFiles } from '../../src/resolve/index.js';
import { fakeExecutor, type FakeChild } from '../exec/fake-executor.js';

describe('resolveIdentityFiles', () => {
  it('asks ssh -G with the run arguments up to the destination, expanding the files', async () => {
    clearSshConfigCache();
    const executor = fakeExecutor((child: FakeChild) => {
      child.stdout.write('user dev\nhostname gpu.corp\nport 2222\nidentityfile /keys/%h_%r\nidentityfile /keys/b\n');
      child.exit(0);
    });
    const files = await resolveIdentityFiles('gpu', ['-F', '/cfg', '-o', 'BatchMode=yes', '--', 'dev@gpu', 'remote command'], { executor });
    expect(files).toEqual(['/keys/gpu.corp_dev', '/keys/b']);
    expect(executor.children[0]!.args).toEqual(['-G', '-F', '/cfg', '-o', 'BatchMode=yes', '--', 'dev@gpu']);
  });

  it('refuses a host ssh would read as an option, spawning nothing', async () => {
    const executor = fakeExecutor(() => undefined);
    await expect(resolveIdentityFiles('-oProxyCommand=x', ['--', 'x'], { executor })).rejects.toMatchObject({ code: 'UNSAFE_ARGUMENT' });
    expect(executor.children).toHaveLength(0);
  });
});

describe('stored remotes with jump hosts', () => {
  it('a settings store accepts string and object hops, frozen, and refuses a hostile object hop by id', async () => {
    const entries = [
      { id: 'a', host: 'gpu', jumpHosts: ['ops@bastion:2222', { host: 'gw', privateKeyPath: '/k', knownHostsFile: '/kh' }] },
      { id: 'b', host: 'gpu', jumpHosts: [{ host: 'gw', privateKeyPath: '-oProxyCommand=x' }] },
    ];
    const store = createSshRemoteStoreAdapter(new Map([['sshRemotes', entries]]));
    const remotes = await store.getSshRemotes();
    expect(remotes.map((remote) => remote.id)).toEqual(['a']);
    expect(remotes[0]!.jumpHosts).toEqual(['ops@bastion:2222', { host: 'gw', privateKeyPath: '/k', knownHostsFile: '/kh' }]);
    expect(Object.isFrozen(remotes[0]!.jumpHosts![1])).toBe(true);
    await expect(Promise.resolve().then(() => store.getSshRemoteById!('b'))).rejects.toMatchObject({ code: 'UNSAFE_ARGUMENT', field: 'jumpHosts[0].privateKeyPath' });
  });
});
