import { describe, expectTypeOf, it } from 'vitest';
import {
  acquireForAgent,
  checkMaster,
  closeAll,
  ConnectionPool,
  exitMaster,
  killRemoteProcessGroup,
  type Lease,
  type MasterStatus,
  type MultiplexOption,
  type RemoteKillResult,
  type RemoteSignal,
} from '../../src/pool/index.js';
import type { SshRemoteConfig } from '../../src/schemas/index.js';
import type { AcquireOptions, ConnectionPoolOptions, ResolveSshConfigOptions, SpawnExecutor } from '../../src/index.js';
import type { KillRemoteOptions, MasterCommandContext } from '../../src/pool/index.js';

describe('pool public signatures', () => {
  it('MultiplexOption is boolean or the documented object, every field optional', () => {
    expectTypeOf<true>().toMatchTypeOf<MultiplexOption>();
    expectTypeOf<{ persistSeconds: number }>().toMatchTypeOf<MultiplexOption>();
    expectTypeOf<{}>().toMatchTypeOf<MultiplexOption>();
    expectTypeOf<Exclude<MultiplexOption, boolean>>().toEqualTypeOf<{ persistSeconds?: number; maxSessionsPerMaster?: number; maxConcurrentPerHost?: number }>();
  });

  it('acquire(remote, multiplex, { signal }) resolves a Lease', () => {
    const pool = new ConnectionPool();
    expectTypeOf(pool.acquire).parameter(0).toEqualTypeOf<SshRemoteConfig>();
    expectTypeOf(pool.acquire).parameter(1).toEqualTypeOf<MultiplexOption | undefined>();
    expectTypeOf(pool.acquire).returns.resolves.toEqualTypeOf<Lease>();
    expectTypeOf<Lease['managedSshOptions']>().toEqualTypeOf<Record<string, string>>();
    expectTypeOf<Lease['controlPath']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Lease['release']>().toEqualTypeOf<() => void>();
    expectTypeOf(acquireForAgent).returns.resolves.toEqualTypeOf<Lease | undefined>();
  });

  it('helpers', () => {
    expectTypeOf(closeAll).toEqualTypeOf<() => Promise<void>>();
    expectTypeOf(checkMaster).returns.resolves.toEqualTypeOf<MasterStatus>();
    expectTypeOf(exitMaster).returns.resolves.toEqualTypeOf<boolean>();
    expectTypeOf(killRemoteProcessGroup).parameter(1).toEqualTypeOf<number>();
    expectTypeOf(killRemoteProcessGroup).parameter(2).toEqualTypeOf<Lease | undefined>();
    expectTypeOf(killRemoteProcessGroup).parameter(3).toEqualTypeOf<RemoteSignal | undefined>();
    expectTypeOf(killRemoteProcessGroup).returns.resolves.toEqualTypeOf<RemoteKillResult>();
  });

  it('one executor type everywhere a process is started', () => {
    expectTypeOf<AcquireOptions['executor']>().toEqualTypeOf<SpawnExecutor | undefined>();
    expectTypeOf<ConnectionPoolOptions['executor']>().toEqualTypeOf<SpawnExecutor | undefined>();
    expectTypeOf<MasterCommandContext['executor']>().toEqualTypeOf<SpawnExecutor | undefined>();
    expectTypeOf<KillRemoteOptions['executor']>().toEqualTypeOf<SpawnExecutor | undefined>();
    expectTypeOf<ResolveSshConfigOptions['executor']>().toEqualTypeOf<SpawnExecutor | undefined>();
  });
});
