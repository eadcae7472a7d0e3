import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { runWithSsh, spawnWithSsh, type RunWithSshOptions } from '../../src/exec/index.js';
import { DEFAULT_MAX_CONCURRENT_HANDSHAKES_PER_HOST, handshakeGateState } from '../../src/exec/handshake-gate.js';
import { ConnectionPool } from '../../src/pool/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { fakeExecutor, type FakeChild } from './fake-executor.js';
import { FakeMasterControl } from '../pool/fake-master-control.js';

const config = { command: 'claude', args: ['--print'], cwd: '/srv/app' };

/** A store with one remote on its own host name, so tests never share a gate. */
function host(name: string, port = 22) {
  const remote = { id: name, host: `${name}.example`, username: 'dev', port };
  return { remote, store: createMemoryStoreAdapter([remote]), agent: { enabled: true, remoteId: name } };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('per-host handshake gate', () => {
  it('the default limit is below MaxStartups 10', () => {
    expect(DEFAULT_MAX_CONCURRENT_HANDSHAKES_PER_HOST).toBe(8);
  });

  it('at most `limit` runs are connecting at once, yet every run can be connected and running at once', async () => {
    const { store, agent } = host('burst');
    const total = 20;
    let connecting = 0;
    let maxConnecting = 0;
    const running: FakeChild[] = [];
    const executor = fakeExecutor((child) => {
      connecting++;
      maxConnecting = Math.max(maxConnecting, connecting);
      setTimeout(() => {
        // The session is up: the script's first status line.
        connecting--;
        child.marker('pid', 100 + running.length).marker('started');
        running.push(child);
        // Nobody ends before all are running: a gate that limited runs in flight would stall here
        // (timeoutMs below turns that stall into a failure instead of a hang).
        if (running.length === total) {
          for (const each of running) {
            each.marker('exit', 0);
            each.exit(0);
          }
        }
      }, 20);
    });
    const results = await Promise.all(
      Array.from({ length: total }, () => runWithSsh(config, agent, store, { shell: 'posix', executor, maxConcurrentHandshakesPerHost: 3, timeoutMs: 10_000 })),
    );
    expect(results.map((r) => r.remoteExitCode)).toEqual(Array(total).fill(0));
    expect(maxConnecting).toBe(3);
    expect(running).toHaveLength(total);
    expect(handshakeGateState(host('burst').remote)).toMatchObject({ active: 0, waiting: 0 });
  });

  it('a try that fails before its pid marker gives its slot back', async () => {
    const { store, agent } = host('failing');
    const executor = fakeExecutor((child) => {
      child.stderr.write('ssh: connect to host failing.example port 22: Connection refused\r\n');
      child.exit(255);
    });
    const options: RunWithSshOptions = { shell: 'posix', executor, maxConcurrentHandshakesPerHost: 1, retry: { attempts: 2, minDelayMs: 1, maxDelayMs: 2 }, timeoutMs: 5_000 };
    const results = await Promise.all(Array.from({ length: 5 }, () => runWithSsh(config, agent, store, options)));
    expect(results.every((r) => r.errorKind === 'connection-refused' && r.attempts === 2)).toBe(true);
    expect(executor.children).toHaveLength(10);
    expect(handshakeGateState(host('failing').remote)).toMatchObject({ active: 0, waiting: 0 });
  });

  it('timeoutMs and signal bound the wait for a slot; nothing is spawned for the waiting run', async () => {
    const { store, agent } = host('held');
    // The first run hangs in its handshake (no pid marker) and holds the only slot.
    const holder = fakeExecutor(() => {});
    const controller = new AbortController();
    const first = runWithSsh(config, agent, store, { shell: 'posix', executor: holder, maxConcurrentHandshakesPerHost: 1, signal: controller.signal, killGraceMs: 10 });
    await delay(20);
    expect(handshakeGateState(host('held').remote)).toMatchObject({ active: 1 });

    const waiting = fakeExecutor(() => {});
    const timedOut = await runWithSsh(config, agent, store, { shell: 'posix', executor: waiting, maxConcurrentHandshakesPerHost: 1, timeoutMs: 200 });
    expect(timedOut).toMatchObject({ timedOut: true, errorKind: 'timeout', remoteStarted: false, attempts: 1 });
    expect(timedOut.errorMessage).toContain('maxConcurrentHandshakesPerHost');

    const aborter = new AbortController();
    const aborted = runWithSsh(config, agent, store, { shell: 'posix', executor: waiting, maxConcurrentHandshakesPerHost: 1, signal: aborter.signal });
    await delay(20);
    aborter.abort();
    const abortedResult = await aborted;
    expect(abortedResult).toMatchObject({ aborted: true, remoteStarted: false });
    expect(abortedResult.errorKind).toBeUndefined();
    expect(waiting.children).toHaveLength(0);

    controller.abort();
    expect(await first).toMatchObject({ aborted: true });
    expect(handshakeGateState(host('held').remote)).toMatchObject({ active: 0, waiting: 0 });
  });

  it('is per host and port', async () => {
    const a = host('gate-a');
    const b = host('gate-a', 2222);
    const hanging = fakeExecutor(() => {});
    const controller = new AbortController();
    const held = runWithSsh(config, a.agent, a.store, { shell: 'posix', executor: hanging, maxConcurrentHandshakesPerHost: 1, signal: controller.signal, killGraceMs: 10 });
    await delay(20);
    const other = fakeExecutor((child) => {
      child.marker('pid', 5).marker('started').marker('exit', 0);
      child.exit(0);
    });
    // Same host name, another port: another sshd, another budget.
    const remote = { ...b.remote, id: 'gate-a-2222' };
    const result = await runWithSsh(config, { enabled: true, remoteId: remote.id }, createMemoryStoreAdapter([remote]), {
      shell: 'posix',
      executor: other,
      maxConcurrentHandshakesPerHost: 1,
      timeoutMs: 2_000,
    });
    expect(result).toMatchObject({ remoteExitCode: 0 });
    controller.abort();
    await held;
  });

  describe('pooled runs go through their master: not gated', () => {
    let controlDir: string;
    beforeAll(() => {
      controlDir = fs.mkdtempSync('/tmp/swgt-');
    });
    afterAll(() => fs.rmSync(controlDir, { recursive: true, force: true }));

    it('ten pooled runs connect at once with a limit of 1', async () => {
      const { store, agent } = host('pooled');
      const pool = new ConnectionPool({ platform: 'linux', controlDir, masterControl: new FakeMasterControl() });
      let connecting = 0;
      let maxConnecting = 0;
      const executor = fakeExecutor((child) => {
        connecting++;
        maxConnecting = Math.max(maxConnecting, connecting);
        setTimeout(() => {
          connecting--;
          child.marker('pid', 9).marker('started').marker('exit', 0);
          child.exit(0);
        }, 30);
      });
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          runWithSsh(config, agent, store, { shell: 'posix', executor, multiplex: { maxConcurrentPerHost: 10 }, connectionPool: pool, maxConcurrentHandshakesPerHost: 1 }),
        ),
      );
      expect(results.every((r) => r.remoteExitCode === 0)).toBe(true);
      expect(maxConnecting).toBeGreaterThan(1);
      await pool.closeAll();
    });
  });

  it('spawnWithSsh waits for a slot before spawning and frees it at the pid marker', async () => {
    const { store, agent } = host('spawned');
    const executor = fakeExecutor(() => {});
    const options = { shell: 'posix' as const, executor, maxConcurrentHandshakesPerHost: 1 };
    const first = await spawnWithSsh(config, agent, store, options);
    let secondResolved = false;
    const second = spawnWithSsh(config, agent, store, options).then((spawned) => {
      secondResolved = true;
      return spawned;
    });
    await delay(50);
    expect(secondResolved).toBe(false);
    expect(executor.children).toHaveLength(1);
    // The first session is up: the second may connect.
    executor.children[0]!.marker('pid', 31);
    const { child } = await second;
    expect(executor.children).toHaveLength(2);
    // Ending a child that never reported its pid frees its slot too.
    child.kill('SIGTERM');
    first.child.kill('SIGTERM');
    await delay(20);
    expect(handshakeGateState(host('spawned').remote)).toMatchObject({ active: 0, waiting: 0 });
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects maxConcurrentHandshakesPerHost %s', async (value) => {
    const { store, agent } = host('invalid');
    await expect(runWithSsh(config, agent, store, { maxConcurrentHandshakesPerHost: value })).rejects.toThrow(SshWrapError);
    await expect(spawnWithSsh(config, agent, store, { maxConcurrentHandshakesPerHost: value })).rejects.toThrow(SshWrapError);
  });
});
