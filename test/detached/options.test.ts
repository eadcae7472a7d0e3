import { describe, expect, it } from 'vitest';
import { attachDetached, cancelDetached, detachedStatus, listDetached, pruneDetached, startDetached } from '../../src/detached/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';

// Every check here happens before anything connects: the store's remote does not exist.
const store = createMemoryStoreAdapter([]);
const ref = { runId: 'r-1', remoteId: 'nowhere' };
const config = { command: 'true', args: [], cwd: '~' };
const agentSsh = { enabled: true, remoteId: 'nowhere' };

describe('detached-run options and inputs', () => {
  it.each([
    ['startDetached', () => startDetached(config, agentSsh, store, { runDIR: '/x' } as never)],
    ['attachDetached', () => attachDetached(ref, store, { fromOffsets: {} } as never)],
    ['detachedStatus', () => detachedStatus(ref, store, { graceMs: 1 } as never)],
    ['listDetached', () => listDetached('nowhere', store, { olderThanMs: 1 } as never)],
    ['cancelDetached', () => cancelDetached(ref, store, { grace: 1 } as never)],
    ['pruneDetached', () => pruneDetached('nowhere', store, { olderThanMs: 1, olderThan: 1 } as never)],
  ])('%s refuses an unknown option key', async (_name, call) => {
    await expect(call()).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
  });

  it('refuses bad values before connecting', async () => {
    await expect(startDetached(config, { enabled: false, remoteId: null }, store)).rejects.toMatchObject({ code: 'INVALID_CONFIG', field: 'agentSsh' });
    await expect(startDetached(config, agentSsh, store, { runId: '../x' })).rejects.toMatchObject({ code: 'UNSAFE_ARGUMENT', field: 'runId' });
    await expect(startDetached(config, agentSsh, store, { runDir: 'relative' })).rejects.toMatchObject({ code: 'INVALID_CONFIG', field: 'runDir' });
    await expect(startDetached({ ...config, command: '-x' }, agentSsh, store)).rejects.toMatchObject({ code: 'UNSAFE_ARGUMENT', field: 'command' });
    await expect(attachDetached(ref, store, { fromOffset: { stdout: -1 } })).rejects.toMatchObject({ field: 'fromOffset.stdout' });
    await expect(attachDetached(ref, store, { reconnect: { attempts: 1.5, maxDelayMs: 1 } })).rejects.toMatchObject({ field: 'reconnect' });
    await expect(attachDetached({ runId: 'a/b', remoteId: 'x' }, store)).rejects.toMatchObject({ field: 'runId' });
    await expect(cancelDetached(ref, store, { graceMs: -1 })).rejects.toMatchObject({ field: 'graceMs' });
    await expect(pruneDetached('nowhere', store, {} as never)).rejects.toMatchObject({ field: 'olderThanMs' });
    await expect(listDetached('', store)).rejects.toMatchObject({ field: 'remoteId' });
    const windows = createMemoryStoreAdapter([{ id: 'win', name: 'win', host: 'win.example', remotePlatform: 'windows' } as never]);
    await expect(startDetached(config, { enabled: true, remoteId: 'win' }, windows)).rejects.toMatchObject({ code: 'INVALID_CONFIG', field: 'remotePlatform' });
  });
});
