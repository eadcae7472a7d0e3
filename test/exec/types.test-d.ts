import { describe, expectTypeOf, it } from 'vitest';
import type { SshFailureKind } from '../../src/classify/index.js';
import { runWithSsh, spawnWithSsh, type ChildProcessLike, type SpawnExecutor, type SshRunResult } from '../../src/exec/index.js';
import { groomContext } from '../../src/groom/index.js';
import type { SshRemoteStoreAdapter } from '../../src/resolve/index.js';
import type { AgentSshRemoteConfig, SshSpawnWrapConfig } from '../../src/schemas/index.js';
import { testConnection, type SshRemoteTestResult } from '../../src/test-connection/index.js';
import type { RemoteEnvironment, SshSpawnWrapResult } from '../../src/wrap/index.js';
import type { RunWithSshOptions } from '../../src/exec/index.js';
import type { TestConnectionOptions } from '../../src/test-connection/index.js';

describe('public signatures', () => {
  it('runWithSsh / spawnWithSsh take the wrapSpawnWithSsh argument order', () => {
    expectTypeOf(runWithSsh).parameter(0).toEqualTypeOf<SshSpawnWrapConfig>();
    expectTypeOf(runWithSsh).parameter(1).toEqualTypeOf<AgentSshRemoteConfig | null | undefined>();
    expectTypeOf(runWithSsh).parameter(2).toEqualTypeOf<SshRemoteStoreAdapter>();
    expectTypeOf(runWithSsh).returns.resolves.toEqualTypeOf<SshRunResult>();
    expectTypeOf(spawnWithSsh).returns.resolves.toHaveProperty('child').toEqualTypeOf<ChildProcessLike>();
    expectTypeOf(spawnWithSsh).returns.resolves.toHaveProperty('wrapped').toEqualTypeOf<SshSpawnWrapResult>();
  });

  it('results carry the documented fields', () => {
    expectTypeOf<SshRunResult['errorKind']>().toEqualTypeOf<SshFailureKind | undefined>();
    expectTypeOf<SshRunResult['exitCode']>().toEqualTypeOf<number | null>();
    expectTypeOf<SshRunResult['remoteExitCode']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<SshRemoteTestResult['success']>().toEqualTypeOf<boolean>();
    expectTypeOf(testConnection).returns.resolves.toEqualTypeOf<SshRemoteTestResult>();
    expectTypeOf(groomContext).returns.resolves.toEqualTypeOf<string>();
  });

  it("remoteEnvironment: 'default', 'login' or a login bound; agentFoundBy names the environment", () => {
    expectTypeOf<RemoteEnvironment>().toEqualTypeOf<'default' | 'login' | { mode: 'login'; timeoutSeconds?: number | undefined }>();
    expectTypeOf<RunWithSshOptions['remoteEnvironment']>().toEqualTypeOf<RemoteEnvironment | undefined>();
    expectTypeOf<TestConnectionOptions['remoteEnvironment']>().toEqualTypeOf<RemoteEnvironment | undefined>();
    expectTypeOf<NonNullable<SshRemoteTestResult['details']>['agentFoundBy']>().toEqualTypeOf<'path' | 'login' | null | undefined>();
  });

  it("node's ChildProcess is a ChildProcessLike", () => {
    expectTypeOf<ReturnType<SpawnExecutor['spawn']>>().toEqualTypeOf<ChildProcessLike>();
    expectTypeOf<import('node:child_process').ChildProcess>().toMatchTypeOf<ChildProcessLike>();
  });
});
