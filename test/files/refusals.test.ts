import { describe, expect, it } from 'vitest';
import { downloadFile, remoteFs, uploadFile } from '../../src/files/index.js';
import { SshWrapError } from '../../src/errors/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import type { SpawnExecutor } from '../../src/exec/index.js';

const remote = { id: 'r1', name: 'r1', host: 'example.invalid', port: 22, username: 'dev', enabled: true };
const windows = { ...remote, id: 'w1', remotePlatform: 'windows' as const };
const store = createMemoryStoreAdapter([remote, windows]);
let spawned = 0;
// Any spawn is a failure of these tests: bad input must be refused before anything starts.
const executor: SpawnExecutor = {
  spawn() {
    spawned++;
    throw new Error('spawned');
  },
};

async function refused(promise: Promise<unknown>, code: string, field?: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(SshWrapError);
  expect((error as SshWrapError).code).toBe(code);
  if (field) expect((error as SshWrapError).field).toBe(field);
}

describe('files: bad input is a typed SshWrapError and spawns nothing', () => {
  it.each([
    ['unknown option key', () => uploadFile('r1', store, new Uint8Array(1), '~/x', { executor, mdoe: 0o600 } as never), 'INVALID_CONFIG', 'mdoe'],
    ['mode out of range', () => uploadFile('r1', store, new Uint8Array(1), '~/x', { executor, mode: 0o10000 }), 'INVALID_CONFIG', 'mode'],
    ['mode not an integer', () => uploadFile('r1', store, new Uint8Array(1), '~/x', { executor, mode: 1.5 }), 'INVALID_CONFIG', 'mode'],
    ['empty remote path', () => uploadFile('r1', store, new Uint8Array(1), '', { executor }), 'INVALID_CONFIG', 'remotePath'],
    ['NUL in remote path', () => downloadFile('r1', store, 'a\0b', '/tmp/x', { executor }), 'INVALID_CONFIG', 'remotePath'],
    ['empty local path', () => downloadFile('r1', store, '~/x', '', { executor }), 'INVALID_CONFIG', 'localPath'],
    ['source of the wrong type', () => uploadFile('r1', store, 42 as never, '~/x', { executor }), 'INVALID_CONFIG', 'source'],
    ['unknown remote id', () => uploadFile('nope', store, new Uint8Array(1), '~/x', { executor }), 'REMOTE_NOT_FOUND', undefined],
    ['option-like host in a config', () => uploadFile({ id: 'x', host: '-oProxyCommand=x', username: 'u' }, store, new Uint8Array(1), '~/x', { executor }), 'UNSAFE_ARGUMENT', undefined],
    ['a Windows remote', () => downloadFile('w1', store, '~/x', '/tmp/x', { executor }), 'INVALID_CONFIG', 'remotePlatform'],
    ['negative timeout', () => downloadFile('r1', store, '~/x', '/tmp/x', { executor, timeoutMs: -1 }), 'INVALID_CONFIG', 'timeoutMs'],
  ])('%s', async (_name, call, code, field) => {
    spawned = 0;
    await refused(call(), code, field);
    expect(spawned).toBe(0);
  });

  it('remoteFs refuses unknown option keys at once', () => {
    expect(() => remoteFs('r1', store, { timeoutMS: 5 } as never)).toThrow(SshWrapError);
  });

  it.each([
    ['remove("/")', (fs: ReturnType<typeof remoteFs>) => fs.remove('/', { recursive: true }), 'path'],
    ['remove("//")', (fs: ReturnType<typeof remoteFs>) => fs.remove('//', { recursive: true }), 'path'],
    ['remove("~")', (fs: ReturnType<typeof remoteFs>) => fs.remove('~', { recursive: true }), 'path'],
    ['remove("~/")', (fs: ReturnType<typeof remoteFs>) => fs.remove('~/', { recursive: true }), 'path'],
    ['remove(".")', (fs: ReturnType<typeof remoteFs>) => fs.remove('.'), 'path'],
    ['remove unknown option', (fs: ReturnType<typeof remoteFs>) => fs.remove('~/x', { recurse: true } as never), 'recurse'],
    ['readFile negative maxBytes', (fs: ReturnType<typeof remoteFs>) => fs.readFile('~/x', { maxBytes: -1 }), 'maxBytes'],
    ['readFile unknown option', (fs: ReturnType<typeof remoteFs>) => fs.readFile('~/x', { max: 1 } as never), 'max'],
    ['writeFile bad mode', (fs: ReturnType<typeof remoteFs>) => fs.writeFile('~/x', 'y', { mode: -1 }), 'mode'],
    ['writeFile bad data', (fs: ReturnType<typeof remoteFs>) => fs.writeFile('~/x', 5 as never), 'data'],
    ['rename to an empty path', (fs: ReturnType<typeof remoteFs>) => fs.rename('~/x', ''), 'to'],
    ['readDir NUL', (fs: ReturnType<typeof remoteFs>) => fs.readDir('a\0'), 'path'],
  ])('remoteFs %s', async (_name, call, field) => {
    spawned = 0;
    await refused(call(remoteFs('r1', store, { executor })), 'INVALID_CONFIG', field);
    expect(spawned).toBe(0);
  });

  it('remoteFs reports an unknown remote id on the first call', async () => {
    spawned = 0;
    await refused(remoteFs('nope', store, { executor }).stat('~'), 'REMOTE_NOT_FOUND');
    expect(spawned).toBe(0);
  });
});
