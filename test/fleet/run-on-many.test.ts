import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runOnMany, type RunOnManyOptions } from '../../src/fleet/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { fakeExecutor } from '../exec/fake-executor.js';

// Behaviour (order, limits measured remotely, abort, failFast) is tested against a real sshd in
// test/integration/fleet.test.ts; here: bad input is refused before anything is spawned.
const store = createMemoryStoreAdapter([
  { id: 'a', host: 'a.example.invalid', username: 'dev' },
  { id: 'b', host: 'b.example.invalid', username: 'dev' },
]);
const job = { command: 'true', args: [], cwd: '~' };

describe('runOnMany refuses bad input with nothing spawned', () => {
  const cases: Array<[string, Parameters<typeof runOnMany>, string]> = [
    ['no concurrency', [['a'], job, store, {} as RunOnManyOptions], 'INVALID_CONFIG'],
    ['concurrency 0', [['a'], job, store, { concurrency: 0 }], 'INVALID_CONFIG'],
    ['fractional perHostConcurrency', [['a'], job, store, { concurrency: 2, perHostConcurrency: 1.5 }], 'INVALID_CONFIG'],
    ['unknown option', [['a'], job, store, { concurrency: 2, failfast: true } as never], 'INVALID_CONFIG'],
    ['unknown run option', [['a'], job, store, { concurrency: 2, runOptions: { timeoutMS: 5 } as never }], 'INVALID_CONFIG'],
    ['a signal in runOptions', [['a'], job, store, { concurrency: 2, runOptions: { signal: AbortSignal.timeout(1) } as never }], 'INVALID_CONFIG'],
    ['negative timeout for one target', [['a', 'b'], job, store, { concurrency: 2, runOptions: (_t, i) => ({ timeoutMs: i === 1 ? -1 : 5 }) }], 'INVALID_CONFIG'],
    ['bad multiplex', [['a'], job, store, { concurrency: 2, runOptions: { multiplex: { persistSeconds: 0 } } }], 'INVALID_CONFIG'],
    ['unknown id among good ones', [['a', 'nope', 'b'], job, store, { concurrency: 2 }], 'REMOTE_NOT_FOUND'],
    ['unsafe host in a config target', [['a', { id: 'x', host: '-oProxyCommand=x' }], job, store, { concurrency: 2 }], 'UNSAFE_ARGUMENT'],
    ['one input stream shared by two targets', [['a', 'b'], job, store, { concurrency: 2, runOptions: { input: Readable.from(['x']) } }], 'INVALID_CONFIG'],
    ['bad job for the second target', [['a', 'b'], (_t, i) => ({ command: i === 1 ? '' : 'true', args: [], cwd: '~' }), store, { concurrency: 2 }], 'INVALID_CONFIG'],
  ];
  it.each(cases)('%s', async (_name, args, code) => {
    const executor = fakeExecutor(() => {
      throw new Error('spawned');
    });
    const [targets, jobArg, storeArg, options] = args;
    // Every run would go through this executor: none may start.
    const { runOptions } = options ?? {};
    const withExecutor: RunOnManyOptions =
      options === undefined || typeof options !== 'object'
        ? options
        : {
            ...options,
            runOptions: typeof runOptions === 'function' ? (t, i) => ({ ...runOptions(t, i), executor }) : { ...runOptions, executor },
          };
    await expect(runOnMany(targets, jobArg, storeArg, withExecutor)).rejects.toMatchObject({ code });
    expect(executor.children).toHaveLength(0);
  });

  it('an empty target list is an empty result', async () => {
    expect(await runOnMany([], job, store, { concurrency: 1 })).toEqual([]);
  });
});
