import { describe, expect, it } from 'vitest';
import { runWithSsh, spawnWithSsh } from '../../src/exec/index.js';
import { Terminator } from '../../src/exec/terminate/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { fakeExecutor, type FakeChild } from './fake-executor.js';

const remote = { id: 'r1', host: 'gpu.example', username: 'dev', port: 2222 };
const store = createMemoryStoreAdapter([remote]);
const agent = { enabled: true, remoteId: 'r1' };
const config = { command: 'claude', args: ['--print'], cwd: '/srv/app' };

/** The first child is the run (it reports pid 777 and starts); later ones are remote kills, which succeed. */
function runningRemote(ignoreTerm: boolean) {
  return fakeExecutor((child: FakeChild, index: number) => {
    if (index > 0) return child.exit(0);
    if (ignoreTerm) child.ignore.add('SIGTERM');
    child.marker('pid', 777).marker('started');
  });
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('one stop path (Terminator)', () => {
  it('spawnWithSsh kill(): TERM, then KILL after killGraceMs, and the remote group over a second connection; the reason is recorded', async () => {
    const executor = runningRemote(true);
    const { child, stopReason } = await spawnWithSsh(config, agent, store, { shell: 'posix', executor, killGraceMs: 200 });
    await settle(50);
    expect(stopReason()).toBeUndefined();
    expect(child.kill()).toBe(true);
    await new Promise((resolve) => child.once('exit', resolve));
    const ssh = executor.children[0]!;
    expect(ssh.signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(stopReason()).toBe('kill');
    // The remote kill: the same ssh client, the kill script for group 777 (TERM, then KILL after the grace).
    const kill = executor.children[1]!;
    expect(kill.command).toBe('ssh');
    const script = kill.args.at(-1)!;
    expect(script).toContain('kill -TERM -777');
    expect(script).toContain('kill -KILL -777');
  });

  it('spawnWithSsh killRemote: false stops only the local ssh', async () => {
    const executor = runningRemote(false);
    const { child } = await spawnWithSsh(config, agent, store, { shell: 'posix', executor, killRemote: false });
    await settle(50);
    child.kill();
    await new Promise((resolve) => child.once('exit', resolve));
    await settle(50);
    expect(executor.children).toHaveLength(1);
  });

  it('spawnWithSsh abort records "abort"; a second stop keeps the first reason', async () => {
    const executor = runningRemote(false);
    const controller = new AbortController();
    const { child, stopReason } = await spawnWithSsh(config, agent, store, { shell: 'posix', executor, signal: controller.signal });
    await settle(50);
    controller.abort();
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(stopReason()).toBe('abort');
  });

  it('runWithSsh records why it stopped: timeout, abort', async () => {
    const timedOut = await runWithSsh(config, agent, store, { shell: 'posix', executor: runningRemote(false), timeoutMs: 100 });
    expect(timedOut).toMatchObject({ timedOut: true, aborted: false, stopReason: 'timeout' });
    const aborted = await runWithSsh(config, agent, store, { shell: 'posix', executor: runningRemote(false), signal: AbortSignal.timeout(100) });
    expect(aborted).toMatchObject({ timedOut: false, aborted: true, stopReason: 'abort' });
    const ended = await runWithSsh(config, agent, store, {
      shell: 'posix',
      executor: fakeExecutor((child) => {
        child.marker('pid', 777).marker('started').marker('exit', 0);
        child.exit(0);
      }),
    });
    expect(ended.stopReason).toBeUndefined();
  });

  it('stop(reason) is callable with any reason (the idle timeout uses "idle") and is a no-op once the process exited', async () => {
    const executor = fakeExecutor(() => {});
    const child = executor.spawn('x', [], { cwd: '/', env: {} }) as FakeChild;
    const terminator = new Terminator(child, { killGraceMs: 10 });
    expect(terminator.stop('idle')).toBe(true);
    expect(terminator.stop('timeout')).toBe(false);
    await terminator.stopping;
    expect(terminator.reason).toBe('idle');
    expect(new Terminator(child).stop('kill')).toBe(false);
  });
});
