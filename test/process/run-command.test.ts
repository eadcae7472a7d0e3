import { describe, expect, it } from 'vitest';
import { nodeExecutor } from '../../src/process/executor.js';
import { runCommand } from '../../src/process/run-command.js';
import { fakeExecutor } from '../exec/fake-executor.js';

describe('runCommand', () => {
  it('runs through the given executor, ends stdin (or feeds input), and captures both streams', async () => {
    const executor = fakeExecutor((child) => {
      setImmediate(() => {
        child.stdout.write(`got:${Buffer.concat(child.stdinData).toString()}:${child.stdinEnded ? 'eof' : 'open'}`);
        child.stderr.write('warn');
        child.exit(3);
      });
    });
    const result = await runCommand(executor, 'ssh', ['-O', 'check'], { timeoutMs: 5_000, input: 'hello', env: { A: '1' }, cwd: '/tmp' });
    expect(result).toEqual({ code: 3, signal: null, stdout: 'got:hello:eof', stderr: 'warn', timedOut: false, aborted: false });
    expect(executor.children.map((child) => [child.command, child.args, child.options])).toEqual([['ssh', ['-O', 'check'], { cwd: '/tmp', env: { A: '1' } }]]);
  });

  it('bounds what it keeps of the output but drains the rest', async () => {
    const executor = fakeExecutor((child) => {
      for (let i = 0; i < 10; i++) child.stdout.write('x'.repeat(100));
      child.exit(0);
    });
    const result = await runCommand(executor, 'x', [], { timeoutMs: 5_000, maxCaptureChars: 250 });
    expect(result.stdout).toBe('x'.repeat(250));
  });

  it('kills with SIGKILL after timeoutMs and reports it', async () => {
    const executor = fakeExecutor(() => {});
    const result = await runCommand(executor, 'x', [], { timeoutMs: 30 });
    expect(result).toMatchObject({ timedOut: true, code: null, signal: 'SIGKILL' });
    expect(executor.children[0]!.signals).toEqual(['SIGKILL']);
  });

  it('still resolves when a killed process never closes its pipes', async () => {
    const executor = fakeExecutor((child) => child.ignore.add('SIGKILL'));
    const result = await runCommand(executor, 'x', [], { timeoutMs: 30 });
    expect(result).toMatchObject({ timedOut: true, code: null });
  });

  it('lets onStderr kill early', async () => {
    const executor = fakeExecutor((child) => child.stderr.write('ControlSocket x already exists, disabling multiplexing\n'));
    const result = await runCommand(executor, 'ssh', ['-N'], {
      timeoutMs: 5_000,
      onStderr: (stderr, child) => {
        if (stderr.includes('already exists')) child.kill('SIGTERM');
      },
    });
    expect(result).toMatchObject({ signal: 'SIGTERM', timedOut: false });
  });

  it('reports start failures as data, thrown or emitted', async () => {
    for (const fail of ['sync', 'async'] as const) {
      const result = await runCommand(fakeExecutor(() => {}, fail), 'nossh', [], { timeoutMs: 5_000 });
      expect(result.code).toBeNull();
      expect(result.spawnError?.message).toMatch(fail === 'sync' ? /E2BIG/ : /ENOENT/);
    }
    const real = await runCommand(nodeExecutor, '/nonexistent/sshwrap-no-such-binary', [], { timeoutMs: 5_000 });
    expect((real.spawnError as NodeJS.ErrnoException | undefined)?.code).toBe('ENOENT');
  });

  it('an execa-like process whose promise settles before it started is a start failure, not a hang', async () => {
    const cause = Object.assign(new Error('spawn E2BIG'), { code: 'E2BIG' });
    const executor = fakeExecutor(() => {});
    const thenable = {
      spawn(command: string, args: readonly string[], options: { cwd: string }) {
        const child = executor.spawn(command, args, options);
        // Settles synchronously, before the fake's 'spawn' (which a real execa stand-in never emits).
        return Object.assign(child, { then: (onFulfilled: (value: unknown) => void) => onFulfilled({ cause }) });
      },
    };
    const result = await runCommand(thenable, 'x', [], { timeoutMs: 5_000 });
    expect(result.spawnError).toBe(cause);
    expect(result.timedOut).toBe(false);
  });

  it('abort kills a running process; an aborted signal starts nothing', async () => {
    const executor = fakeExecutor(() => {});
    const controller = new AbortController();
    const pending = runCommand(executor, 'x', [], { timeoutMs: 5_000, signal: controller.signal });
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    expect(await pending).toMatchObject({ aborted: true, timedOut: false });
    expect(executor.children[0]!.signals).toEqual(['SIGKILL']);
    expect(await runCommand(executor, 'x', [], { timeoutMs: 5_000, signal: controller.signal })).toMatchObject({ aborted: true });
    expect(executor.children).toHaveLength(1);
  });

  it('tracks the live process while it runs', async () => {
    const tracker = new Set<unknown>();
    let seen = 0;
    const executor = fakeExecutor((child) => {
      seen = tracker.size;
      child.exit(0);
    });
    await runCommand(executor, 'x', [], { timeoutMs: 5_000, tracker: tracker as Set<never> });
    expect(seen).toBe(1);
    expect(tracker.size).toBe(0);
  });

  it('works with the real default executor: stdin is at EOF, exit status is data', async () => {
    const result = await runCommand(nodeExecutor, '/bin/sh', ['-c', 'cat; echo err >&2; exit 7'], { timeoutMs: 10_000, input: 'in' });
    expect(result).toMatchObject({ code: 7, stdout: 'in', stderr: 'err\n', timedOut: false });
  });
});
