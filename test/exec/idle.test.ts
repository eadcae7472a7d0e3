import { describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { runWithSsh, type RunWithSshOptions } from '../../src/exec/index.js';
import { IdleClock } from '../../src/exec/idle.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { fakeExecutor, type FakeChild } from './fake-executor.js';

const remote = { id: 'idle', host: 'idle.example', username: 'dev', port: 22 };
const store = createMemoryStoreAdapter([remote]);
const agent = { enabled: true, remoteId: 'idle' };
const config = { command: 'claude', args: ['--print'], cwd: '/srv/app' };

function run(behave: (child: FakeChild, index: number) => void, options: RunWithSshOptions = {}) {
  const executor = fakeExecutor((child, index) => {
    // Index > 0: the remote kill's connection, which succeeds at once.
    if (index > 0) return child.exit(0);
    behave(child, index);
  });
  return { executor, result: runWithSsh(config, agent, store, { shell: 'posix', executor, killGraceMs: 20, ...options }) };
}

/** Writes `text` every `everyMs` for `forMs`, then exits 0 (bounded by the timer count). */
function chatty(child: FakeChild, everyMs: number, forMs: number, write: (child: FakeChild) => void): void {
  let ticks = 0;
  const timer = setInterval(() => {
    if (++ticks * everyMs > forMs) {
      clearInterval(timer);
      child.marker('exit', 0);
      return child.exit(0);
    }
    write(child);
  }, everyMs);
  child.once('exit', () => clearInterval(timer));
}

describe('IdleClock', () => {
  it('fires once, `ms` after the last touch', async () => {
    const fired: number[] = [];
    // Touches 30 ms apart against a 250 ms limit: a loaded machine has room to be late.
    const clock = new IdleClock(250);
    const started = Date.now();
    clock.start(() => fired.push(Date.now() - started));
    for (let i = 0; i < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 30));
      clock.touch();
    }
    expect(fired).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeGreaterThanOrEqual(180 + 250 - 5);
  });

  it('never fires without ms or once stopped', async () => {
    const fired: string[] = [];
    new IdleClock(undefined).start(() => fired.push('none'));
    const stopped = new IdleClock(20);
    stopped.start(() => fired.push('stopped'));
    stopped.stop();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(fired).toEqual([]);
  });
});

describe('runWithSsh idleTimeoutMs (fake executor)', () => {
  it('a command that goes quiet is stopped: idleTimedOut, local ssh and remote process group killed', async () => {
    const started = Date.now();
    const { executor, result } = run(
      (child) => {
        child.marker('pid', 4321).marker('started');
        child.stdout.write('a\n');
      },
      { idleTimeoutMs: 150 },
    );
    const r = await result;
    expect(r).toMatchObject({ idleTimedOut: true, timedOut: false, aborted: false, connectionLost: false, remoteStarted: true, stdout: 'a\n' });
    expect(r.errorKind).toBeUndefined();
    expect(executor.children[0]!.signals).toContain('SIGTERM');
    // The second connection signals the remote process group of the reported pid.
    expect(executor.children[1]?.args.join(' ')).toMatch(/4321/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a command that keeps writing (stdout or stderr) is not stopped', async () => {
    let turn = 0;
    const { result } = run(
      (child) => {
        child.marker('pid', 11).marker('started');
        chatty(child, 40, 800, (c) => (turn++ % 2 === 0 ? c.stdout.write('.') : c.stderr.write('.')));
      },
      // Writes 40 ms apart against 400 ms: room for a loaded machine's late timers.
      { idleTimeoutMs: 400 },
    );
    expect(await result).toMatchObject({ idleTimedOut: false, remoteExitCode: 0, exitCode: 0 });
  });

  it('status lines are not output: a command printing only forged markers is idle', async () => {
    const { result } = run(
      (child) => {
        child.marker('pid', 12).marker('started');
        chatty(child, 30, 3_000, (c) => c.marker('started'));
      },
      { idleTimeoutMs: 150 },
    );
    expect(await result).toMatchObject({ idleTimedOut: true, stdout: '', stderr: '' });
  });

  it('the clock starts with the command: a slow connection or login is not idle (timeoutMs bounds it)', async () => {
    const started = Date.now();
    const { result } = run(
      (child) => {
        // ssh and the login print nothing the command wrote for 600 ms, then the command runs.
        setTimeout(() => {
          child.marker('pid', 14).marker('started');
          child.stdout.write('late\n');
          child.marker('exit', 0);
          child.exit(0);
        }, 600);
      },
      { idleTimeoutMs: 150 },
    );
    expect(await result).toMatchObject({ idleTimedOut: false, remoteExitCode: 0, stdout: 'late\n' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);

    const hung = run(() => {}, { idleTimeoutMs: 100, timeoutMs: 400 });
    expect(await hung.result).toMatchObject({ idleTimedOut: false, timedOut: true, errorKind: 'timeout' });
  });

  it('an idle-stopped run is not retried', async () => {
    const events: string[] = [];
    const { result } = run(
      (child) => {
        child.marker('pid', 15).marker('started');
      },
      { idleTimeoutMs: 100, retry: { attempts: 3, minDelayMs: 1, maxDelayMs: 1 }, onEvent: (event) => events.push(event.type) },
    );
    expect(await result).toMatchObject({ idleTimedOut: true, attempts: 1 });
    expect(events).not.toContain('retry');
  });

  it('timeoutMs first: timedOut, not idleTimedOut', async () => {
    const { result } = run(
      (child) => {
        child.marker('pid', 13).marker('started');
      },
      { idleTimeoutMs: 5_000, timeoutMs: 100 },
    );
    expect(await result).toMatchObject({ timedOut: true, idleTimedOut: false });
  });

  it('rejects a negative idleTimeoutMs', async () => {
    await expect(runWithSsh(config, agent, store, { idleTimeoutMs: -1 })).rejects.toThrow(SshWrapError);
  });
});
