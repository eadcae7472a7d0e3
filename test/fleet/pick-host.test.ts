import { describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { countUnpooledRun, HostFactsCache, NoSuitableHostError, pickHost, type HostFacts } from '../../src/fleet/index.js';
import { ConnectionPool } from '../../src/pool/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { fakeExecutor } from '../exec/fake-executor.js';

const GiB = 2 ** 30;

function facts(overrides: Partial<HostFacts> = {}): HostFacts {
  return {
    hostname: 'h',
    os: 'linux',
    arch: 'x86_64',
    kernel: '6.1.0',
    cpus: 8,
    load1: 1,
    memTotalBytes: 64 * GiB,
    memAvailableBytes: 32 * GiB,
    disk: { path: '/home/dev', freeBytes: 100 * GiB },
    gpus: [],
    agents: {},
    ...overrides,
  };
}

const remotes = ['a', 'b', 'c'].map((id) => ({ id, host: `${id}.example.invalid`, username: 'dev' }));
const store = createMemoryStoreAdapter(remotes);
// Nothing may be spawned in these tests: every candidate's facts come from the prefilled cache.
const noSpawn = fakeExecutor(() => {
  throw new Error('spawned although the facts were cached');
});

function cacheWith(entries: Record<string, HostFacts>): HostFactsCache {
  const cache = new HostFactsCache();
  for (const [remoteId, value] of Object.entries(entries)) cache.set({ remoteId }, value);
  return cache;
}

async function rejectionOf(promise: Promise<unknown>): Promise<NoSuitableHostError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(NoSuitableHostError);
  expect(error).toBeInstanceOf(SshWrapError);
  expect((error as SshWrapError).code).toBe('NO_SUITABLE_HOST');
  return error as NoSuitableHostError;
}

describe('pickHost with cached facts', () => {
  it("'least-loaded' picks the lowest load per CPU", async () => {
    const cache = cacheWith({ a: facts({ load1: 4, cpus: 4 }), b: facts({ load1: 6, cpus: 16 }), c: facts({ load1: 2, cpus: 2 }) });
    const picked = await pickHost(['a', 'b', 'c'], store, { cache, executor: noSpawn });
    expect(picked.remoteId).toBe('b');
    expect(picked.facts.cpus).toBe(16);
    expect(noSpawn.children).toHaveLength(0);
  });

  it("'most-free-memory' picks the most available memory", async () => {
    const cache = cacheWith({ a: facts({ memAvailableBytes: 8 * GiB }), b: facts({ memAvailableBytes: 4 * GiB }), c: facts({ memAvailableBytes: 30 * GiB, load1: 99 }) });
    expect((await pickHost(['a', 'b', 'c'], store, { cache, strategy: 'most-free-memory', executor: noSpawn })).remoteId).toBe('c');
    expect((await pickHost(['a', 'b', 'c'], store, { cache, executor: noSpawn })).remoteId).toBe('a');
  });

  it('ties go to the earlier candidate', async () => {
    const cache = cacheWith({ a: facts(), b: facts(), c: facts() });
    expect((await pickHost(['c', 'b', 'a'], store, { cache, executor: noSpawn })).remoteId).toBe('c');
  });

  it('filters by need and says why each candidate was rejected', async () => {
    const gpu = (usedGiB: number) => ({ index: 0, name: 'A100', memoryTotalBytes: 40 * GiB, memoryUsedBytes: usedGiB * GiB, utilizationPct: 10 });
    const cache = cacheWith({
      a: facts({ memAvailableBytes: 2 * GiB, gpus: [gpu(10)], agents: { claude: { path: '/bin/claude', version: '1' } } }),
      b: facts({ disk: { path: '/home/dev', freeBytes: 1 * GiB }, gpus: [gpu(39)], agents: { claude: null } }),
      c: facts({ agents: { claude: { path: '/bin/claude', version: null } } }),
    });
    const need = { memAvailableBytes: 4 * GiB, freeDiskBytes: 10 * GiB, gpuMemoryFreeBytes: 20 * GiB, agent: 'claude' };
    const error = await rejectionOf(pickHost(['a', 'b', 'c'], store, { cache, need, executor: noSpawn }));
    expect(error.rejections).toEqual([
      { remoteId: 'a', reasons: ['memory: 2.0 GiB available, needs 4.0 GiB'] },
      { remoteId: 'b', reasons: ['disk: 1.0 GiB free at /home/dev, needs 10.0 GiB', 'gpu: at most 1.0 GiB free, needs 20.0 GiB', 'agent: claude not on the PATH'] },
      { remoteId: 'c', reasons: ['gpu: none (no nvidia-smi)'] },
    ]);
    expect(error.message).toContain('b: disk: 1.0 GiB free');
    // Only the GPU need is dropped: a is now the one with room on its GPU but not enough memory; c fits.
    const { gpuMemoryFreeBytes: _gpu, ...withoutGpu } = need;
    expect((await pickHost(['a', 'b', 'c'], store, { cache, need: withoutGpu, executor: noSpawn })).remoteId).toBe('c');
  });

  it("counts this process's runs: pool leases and unpooled fleet runs, on the machine (host:port)", async () => {
    const cache = cacheWith({ a: facts({ load1: 0, cpus: 4 }), b: facts({ load1: 1, cpus: 4 }) });
    const pool = new ConnectionPool();
    // A remote that manages multiplexing itself gets an unpooled lease that still holds its host
    // slot: a counted run, and nothing spawned.
    const sameMachineOtherUser = { ...remotes[0]!, username: 'ops', customOptions: { ControlMaster: 'no' } };
    const { parseSshRemoteConfig } = await import('../../src/schemas/index.js');
    const leases = await Promise.all([1, 2].map(() => pool.acquire(parseSshRemoteConfig(sameMachineOtherUser), true)));
    expect(pool.activeLeases({ host: 'a.example.invalid', port: 22 })).toBe(2);
    // a: (0 + 2) / 4 = 0.5 > b: 1 / 4
    expect((await pickHost(['a', 'b'], store, { cache, connectionPool: pool, executor: noSpawn })).remoteId).toBe('b');
    for (const lease of leases) lease.release();
    expect((await pickHost(['a', 'b'], store, { cache, connectionPool: pool, executor: noSpawn })).remoteId).toBe('a');

    const uncount = [countUnpooledRun({ host: 'a.example.invalid', port: 22 }), countUnpooledRun({ host: 'A.EXAMPLE.INVALID', port: 22 })];
    try {
      expect((await pickHost(['a', 'b'], store, { cache, connectionPool: pool, executor: noSpawn })).remoteId).toBe('b');
    } finally {
      for (const done of uncount) done();
    }
    expect((await pickHost(['a', 'b'], store, { cache, connectionPool: pool, executor: noSpawn })).remoteId).toBe('a');
  });

  it('reserves need.memAvailableBytes for each run already on the host', async () => {
    const cache = cacheWith({ a: facts({ memAvailableBytes: 10 * GiB }) });
    const uncount = countUnpooledRun({ host: 'a.example.invalid', port: 22 });
    try {
      const error = await rejectionOf(pickHost(['a'], store, { cache, need: { memAvailableBytes: 6 * GiB }, executor: noSpawn }));
      expect(error.rejections[0]!.reasons).toEqual(['memory: 4.0 GiB left of 10.0 GiB available after 1 run here, needs 6.0 GiB']);
    } finally {
      uncount();
    }
  });

  it('rejects an unreachable candidate with its errorKind and still picks a reachable one', async () => {
    const refused = fakeExecutor((child) => {
      child.stderr.write('ssh: connect to host b.example.invalid port 22: Connection refused\r\n');
      child.exit(255);
    });
    const cache = cacheWith({ a: facts({ memAvailableBytes: 1 * GiB }) });
    const options = { cache, executor: refused, multiplex: false, need: { memAvailableBytes: 2 * GiB } } as const;
    const error = await rejectionOf(pickHost(['a', 'b'], store, options));
    expect(error.rejections[1]).toMatchObject({ remoteId: 'b', errorKind: 'connection-refused' });
    expect(error.rejections[1]!.reasons[0]).toMatch(/^unreachable: .*Connection refused/);
    expect(refused.children.length).toBeGreaterThan(0);
  });

  it('refuses bad input before probing anything', async () => {
    const cache = cacheWith({});
    const cases: Array<[Parameters<typeof pickHost>[0], Parameters<typeof pickHost>[2], string]> = [
      [['a'], { need: { memAvailableBytes: -1 } } as never, 'INVALID_CONFIG'],
      [['a'], { need: { cores: 4 } } as never, 'INVALID_CONFIG'],
      [['a'], { strategy: 'random' } as never, 'INVALID_CONFIG'],
      [['a'], { cacheTTL: 5 } as never, 'INVALID_CONFIG'],
      [[], {}, 'INVALID_CONFIG'],
      [['a', 'nope'], {}, 'REMOTE_NOT_FOUND'],
      [['a', { id: 'x', host: '-oProxyCommand=evil' }], {}, 'UNSAFE_ARGUMENT'],
    ];
    for (const [candidates, options, code] of cases) {
      await expect(pickHost(candidates, store, { ...options, cache, executor: noSpawn }), JSON.stringify(options)).rejects.toMatchObject({ code });
    }
    expect(noSpawn.children).toHaveLength(0);
  });
});

describe('HostFactsCache', () => {
  it('validates what is put in, expires by age and serves only calls whose agents it knows', () => {
    const cache = new HostFactsCache();
    expect(() => cache.set({ remoteId: 'a' }, { ...facts(), cpus: -1 })).toThrow(SshWrapError);
    cache.set({ remoteId: 'a' }, facts({ agents: { claude: null, codex: { path: '/x', version: '1' } } }), 1_000);
    expect(cache.get({ remoteId: 'a' }, 500, [], 1_400)).toBeDefined();
    expect(cache.get({ remoteId: 'a' }, 500, [], 1_500)).toBeUndefined();
    expect(cache.get({ remoteId: 'a' }, 0, [], 1_000)).toBeUndefined(); // cacheTtlMs 0: always probe
    expect(cache.get({ remoteId: 'a' }, 500, ['codex'], 1_100)?.agents).toEqual({ codex: { path: '/x', version: '1' } });
    expect(cache.get({ remoteId: 'a' }, 500, ['aider'], 1_100)).toBeUndefined();
    expect(cache.get({ remoteId: 'a', diskPath: '/srv' }, 500, [], 1_100)).toBeUndefined();
    cache.clear('a');
    expect(cache.get({ remoteId: 'a' }, 500, [], 1_100)).toBeUndefined();
  });
});
