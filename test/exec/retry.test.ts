import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { runWithSsh, spawnWithSsh, type RunWithSshOptions, type SshRunEvent } from '../../src/exec/index.js';
import { DEFAULT_RETRY, MAX_RETRY_ATTEMPTS, resolveRetry, retryDelay, retryReason, type RetryPolicy } from '../../src/exec/retry.js';
import { ConnectionPool } from '../../src/pool/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { fakeExecutor, type FakeChild } from './fake-executor.js';
import { FakeMasterControl } from '../pool/fake-master-control.js';

const remote = { id: 'r1', host: 'retry.example', username: 'dev', port: 2222 };
const store = createMemoryStoreAdapter([remote]);
const agent = { enabled: true, remoteId: 'r1' };
const config = { command: 'claude', args: ['--print'], cwd: '/srv/app' };
// Short waits keep the suite fast; the delay arithmetic has its own tests below.
const quick = { minDelayMs: 1, maxDelayMs: 5 };

const REFUSED = 'ssh: connect to host retry.example port 2222: Connection refused\r\n';
const KEX_RESET = 'kex_exchange_identification: read: Connection reset by peer\r\nConnection reset by 127.0.0.1 port 2222\r\n';

function run(behave: (child: FakeChild, index: number) => void, options: RunWithSshOptions = {}) {
  const executor = fakeExecutor(behave);
  const events: SshRunEvent[] = [];
  const result = runWithSsh(config, agent, store, { shell: 'posix', executor, onEvent: (event) => events.push(event), ...options });
  return { executor, events, result };
}

const refuse = (child: FakeChild): void => {
  child.stderr.write(REFUSED);
  child.exit(255);
};
const succeed = (child: FakeChild): void => {
  child.marker('pid', 77).marker('started');
  child.stdout.write('done\n');
  child.marker('exit', 0);
  child.exit(0);
};

describe('resolveRetry', () => {
  it('defaults to 3 tries in all, 100..2000 ms; false is one try', () => {
    expect(resolveRetry(undefined)).toEqual({ attempts: 3, minDelayMs: 100, maxDelayMs: 2_000 });
    expect(resolveRetry(false)).toEqual({ ...DEFAULT_RETRY, attempts: 1 });
    expect(resolveRetry({ attempts: 5 })).toEqual({ ...DEFAULT_RETRY, attempts: 5 });
    expect(resolveRetry({ attempts: undefined, maxDelayMs: 300 })).toEqual({ ...DEFAULT_RETRY, maxDelayMs: 300 });
  });

  it.each<[string, unknown]>([
    ['attempts 0', { attempts: 0 }],
    ['fractional attempts', { attempts: 2.5 }],
    ['unbounded attempts', { attempts: MAX_RETRY_ATTEMPTS + 1 }],
    ['negative delay', { minDelayMs: -1 }],
    ['infinite delay', { maxDelayMs: Infinity }],
    ['max below min', { minDelayMs: 500, maxDelayMs: 100 }],
    ['an unknown key', { attempt: 3 }],
    ['true', true],
  ])('rejects %s', (_name, value) => {
    expect(() => resolveRetry(value as never)).toThrow(SshWrapError);
  });
});

describe('retryDelay', () => {
  const policy: RetryPolicy = { attempts: 10, minDelayMs: 100, maxDelayMs: 2_000 };

  it('is random between minDelayMs and a ceiling that doubles per retry, capped at maxDelayMs', () => {
    expect(retryDelay(policy, 1, () => 0)).toBe(100);
    expect(retryDelay(policy, 1, () => 0.999_999)).toBe(200);
    expect(retryDelay(policy, 2, () => 0.999_999)).toBe(400);
    expect(retryDelay(policy, 4, () => 0.999_999)).toBe(1_600);
    expect(retryDelay(policy, 5, () => 0.999_999)).toBe(2_000);
    expect(retryDelay(policy, 60, () => 0.999_999)).toBe(2_000);
    expect(retryDelay(policy, 3, () => 0.5)).toBe(450);
  });

  it('spreads a burst: 200 draws for the same retry are not all alike', () => {
    const draws = new Set(Array.from({ length: 200 }, () => retryDelay(policy, 3)));
    expect(draws.size).toBeGreaterThan(50);
    for (const draw of draws) {
      expect(draw).toBeGreaterThanOrEqual(100);
      expect(draw).toBeLessThanOrEqual(800);
    }
  });
});

describe('runWithSsh retries (fake executor)', () => {
  it('a refused connection is tried `attempts` times in all, with a retry event before each repeat', async () => {
    const { executor, events, result } = run(refuse, { retry: { attempts: 4, ...quick } });
    const r = await result;
    expect(r).toMatchObject({ errorKind: 'connection-refused', attempts: 4, remoteStarted: false });
    expect(executor.children).toHaveLength(4);
    const retries = events.filter((event) => event.type === 'retry');
    expect(retries.map((event) => event.attempt)).toEqual([1, 2, 3]);
    for (const event of retries) {
      expect(event).toMatchObject({ errorKind: 'connection-refused' });
      expect(event.delayMs).toBeGreaterThanOrEqual(1);
      expect(event.delayMs).toBeLessThanOrEqual(5);
    }
    expect(events.map((event) => event.type)).toEqual(['resolve', 'retry', 'retry', 'retry', 'error', 'exit']);
  });

  it('a handshake reset (MaxStartups) then success: the result is the successful try, attempts 2', async () => {
    const { executor, events, result } = run(
      (child, index) => {
        if (index > 0) return succeed(child);
        child.stderr.write(KEX_RESET);
        child.exit(255);
      },
      { retry: quick },
    );
    const r = await result;
    expect(r).toMatchObject({ exitCode: 0, remoteExitCode: 0, stdout: 'done\n', attempts: 2, remoteStarted: true });
    expect(r.errorKind).toBeUndefined();
    expect(executor.children).toHaveLength(2);
    expect(events.map((event) => event.type)).toEqual(['resolve', 'retry', 'connect', 'spawn', 'started', 'first-byte', 'exit']);
    expect(events[1]).toMatchObject({ attempt: 1, errorKind: 'connection-closed' });
  });

  it.each<[string, string, number | null]>([
    ['auth-failed', 'dev@retry.example: Permission denied (publickey).\r\n', 255],
    ['host-key-changed', 'Host key for [retry.example]:2222 has changed and you have requested strict checking.\r\nHost key verification failed.\r\n', 255],
    ['host-key-unknown', 'Host key verification failed.\r\n', 255],
    ['dns', 'ssh: Could not resolve hostname retry.example: Name or service not known\r\n', 255],
    ['timeout', 'ssh: connect to host retry.example port 2222: Connection timed out\r\n', 255],
    ['unknown', '', 255],
  ])('%s is not retried (it would fail the same way)', async (kind, stderr, code) => {
    const { executor, events, result } = run(
      (child) => {
        child.stderr.write(stderr);
        child.exit(code);
      },
      { retry: quick },
    );
    expect(await result).toMatchObject({ errorKind: kind, attempts: 1 });
    // An auth failure asks `ssh -G` which keys ssh tried (an encrypted one is passphrase-required): no retry.
    expect(executor.children.filter((child) => child.args[0] !== '-G')).toHaveLength(1);
    expect(events.some((event) => event.type === 'retry')).toBe(false);
  });

  it('agent-not-found and cwd-missing (reported by the remote script) are not retried', async () => {
    for (const marker of ['not-found', 'cwd-missing'] as const) {
      const { executor, result } = run(
        (child) => {
          child.marker('pid', 50).marker(marker);
          child.exit(marker === 'not-found' ? 127 : 1);
        },
        { retry: quick },
      );
      expect(await result).toMatchObject({ errorKind: marker === 'not-found' ? 'agent-not-found' : 'cwd-missing', attempts: 1 });
      expect(executor.children).toHaveLength(1);
    }
  });

  it('never after the command started: a connection reset after `started` is a lost connection, tried once', async () => {
    const { executor, result } = run(
      (child) => {
        child.marker('pid', 51).marker('started');
        child.stderr.write('Connection reset by 127.0.0.1 port 2222\r\n');
        child.exit(255);
      },
      { retry: quick },
    );
    expect(await result).toMatchObject({ connectionLost: true, remoteStarted: true, attempts: 1 });
    expect(executor.children).toHaveLength(1);
  });

  it('never once the remote script reported its pid, even before `started`', async () => {
    const { executor, result } = run(
      (child) => {
        child.marker('pid', 52);
        child.stderr.write('Connection closed by 127.0.0.1 port 2222\r\n');
        child.exit(255);
      },
      { retry: quick },
    );
    const r = await result;
    expect(r).toMatchObject({ remoteStarted: false, remotePid: 52, attempts: 1 });
    expect(executor.children).toHaveLength(1);
  });

  it('retry: false makes one try', async () => {
    const { executor, result } = run(refuse, { retry: false });
    expect(await result).toMatchObject({ errorKind: 'connection-refused', attempts: 1 });
    expect(executor.children).toHaveLength(1);
  });

  it('retries are on by default (3 tries)', async () => {
    const { executor, result } = run(refuse);
    expect(await result).toMatchObject({ errorKind: 'connection-refused', attempts: 3 });
    expect(executor.children).toHaveLength(3);
  });

  it('timeoutMs bounds the waits: no retry whose wait would outlast it', async () => {
    const started = Date.now();
    const { executor, events, result } = run(refuse, { timeoutMs: 400, retry: { attempts: 5, minDelayMs: 1_000, maxDelayMs: 1_000 } });
    expect(await result).toMatchObject({ errorKind: 'connection-refused', attempts: 1 });
    expect(executor.children).toHaveLength(1);
    expect(events.some((event) => event.type === 'retry')).toBe(false);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('timeoutMs bounds the tries: the last try gets only the time left', async () => {
    const started = Date.now();
    const { executor, result } = run(
      (child, index) => {
        if (index === 0) return refuse(child);
        // The second try hangs in the handshake: only the time left stops it.
      },
      { timeoutMs: 600, killGraceMs: 10, retry: { attempts: 3, minDelayMs: 50, maxDelayMs: 50 } },
    );
    const r = await result;
    expect(r).toMatchObject({ timedOut: true, errorKind: 'timeout', attempts: 2 });
    expect(executor.children).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('an abort during the wait ends the run at once: aborted, no errorKind, no further try', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const { executor, result } = run(refuse, {
      signal: controller.signal,
      retry: { attempts: 3, minDelayMs: 5_000, maxDelayMs: 5_000 },
      onEvent: (event) => event.type === 'retry' && setTimeout(() => controller.abort(), 50),
    });
    const r = await result;
    expect(r).toMatchObject({ aborted: true, attempts: 1, remoteStarted: false });
    expect(r.errorKind).toBeUndefined();
    expect(executor.children).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a callback that throws on the retry event fails the run without another try', async () => {
    const { executor, result } = run(refuse, {
      retry: quick,
      onEvent: (event) => {
        if (event.type === 'retry') throw new Error('no retries here');
      },
    });
    await expect(result).rejects.toThrow('no retries here');
    expect(executor.children).toHaveLength(1);
  });

  it('spawnWithSsh has no retry option (it resolves before the connection is tried)', async () => {
    await expect(spawnWithSsh(config, agent, store, { retry: false } as never)).rejects.toThrow(SshWrapError);
  });

  it('rejects a bad retry option before spawning anything', async () => {
    const { executor, result } = run(refuse, { retry: { attempts: 0 } });
    await expect(result).rejects.toThrow(SshWrapError);
    expect(executor.children).toHaveLength(0);
  });
});

describe('pooled runs: a dead master is the same retry mechanism', () => {
  let controlDir: string;
  beforeAll(() => {
    controlDir = fs.mkdtempSync('/tmp/swrt-');
  });
  afterAll(() => fs.rmSync(controlDir, { recursive: true, force: true }));

  it('ssh failed before the pid marker and the master is dead: retried at once (delayMs 0), on the same budget', async () => {
    const control = new FakeMasterControl();
    const pool = new ConnectionPool({ platform: 'linux', controlDir, masterControl: control });
    const { executor, events, result } = run(
      (child, index) => {
        if (index > 0) return succeed(child);
        // The master died under this run: its socket is left, nothing answers.
        for (const socket of control.sockets) control.dead.add(socket);
        child.exit(255);
      },
      { multiplex: true, connectionPool: pool, retry: { attempts: 2, minDelayMs: 3_000, maxDelayMs: 3_000 } },
    );
    const r = await result;
    expect(r).toMatchObject({ exitCode: 0, stdout: 'done\n', attempts: 2 });
    expect(executor.children).toHaveLength(2);
    expect(events.filter((event) => event.type === 'retry')).toEqual([expect.objectContaining({ attempt: 1, errorKind: 'unknown', delayMs: 0 })]);
  });

  it('the same failure with a live master is not retried (ssh failed for another reason)', async () => {
    const control = new FakeMasterControl();
    const pool = new ConnectionPool({ platform: 'linux', controlDir, masterControl: control });
    const { executor, result } = run((child) => child.exit(255), { multiplex: true, connectionPool: pool, retry: quick });
    expect(await result).toMatchObject({ errorKind: 'unknown', attempts: 1 });
    expect(executor.children).toHaveLength(1);
  });

  it('retry: false turns off the fresh-master retry too', async () => {
    const control = new FakeMasterControl();
    const pool = new ConnectionPool({ platform: 'linux', controlDir, masterControl: control });
    const { executor, result } = run(
      (child) => {
        for (const socket of control.sockets) control.dead.add(socket);
        child.exit(255);
      },
      { multiplex: true, connectionPool: pool, retry: false },
    );
    expect(await result).toMatchObject({ attempts: 1 });
    expect(executor.children).toHaveLength(1);
  });
});

describe('retryReason', () => {
  const base = { exitCode: 255, signal: null, stdout: '', stderr: '', loginOutput: { stdout: '', stderr: '' }, wrapped: {} as never, remoteStarted: false, timedOut: false, aborted: false, idleTimedOut: false, attempts: 1, connectionLost: false, stdoutTruncated: false, stderrTruncated: false, durationMs: 1 };

  it('only a not-started run with a transient kind', async () => {
    expect(await retryReason({ ...base, errorKind: 'connection-refused' }, undefined)).toEqual({ errorKind: 'connection-refused', freshMaster: false });
    expect(await retryReason({ ...base, errorKind: 'connection-closed' }, undefined)).toEqual({ errorKind: 'connection-closed', freshMaster: false });
    expect(await retryReason({ ...base, errorKind: 'connection-closed', remoteStarted: true }, undefined)).toBeUndefined();
    expect(await retryReason({ ...base, errorKind: 'connection-closed', remotePid: 9 }, undefined)).toBeUndefined();
    expect(await retryReason({ ...base, errorKind: 'connection-closed', aborted: true }, undefined)).toBeUndefined();
    expect(await retryReason({ ...base, errorKind: 'connection-closed', idleTimedOut: true }, undefined)).toBeUndefined();
    expect(await retryReason({ ...base, errorKind: 'timeout', timedOut: true }, undefined)).toBeUndefined();
    expect(await retryReason({ ...base, errorKind: 'auth-failed' }, undefined)).toBeUndefined();
    expect(await retryReason({ ...base }, undefined)).toBeUndefined();
  });
});
