import { describe, expect, it } from 'vitest';
import { runWithSsh, spawnWithSsh, type SpawnExecutor } from '../../src/exec/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { fakeExecutor, type FakeChild } from './fake-executor.js';

// execa's subprocess is a ChildProcess that is also a promise (of its result). An async function
// that returns it adopts the promise: the runners must hand the process around, never return it.
const store = createMemoryStoreAdapter([{ id: 'r1', host: 'thenable.example', username: 'dev' }]);
const agent = { enabled: true, remoteId: 'r1' };
const config = { command: 'echo', args: ['hi'], cwd: '/srv' };

function execaLike(behave: (child: FakeChild) => void): SpawnExecutor {
  const inner = fakeExecutor(behave);
  return {
    spawn(command, args, options) {
      const child = inner.spawn(command, args, options) as FakeChild & PromiseLike<{ exitCode: number | null }>;
      const result = new Promise<{ exitCode: number | null }>((resolve) => child.once('close', () => resolve({ exitCode: child.exitCode })));
      // A promise that settles only after the process ended, as execa's does.
      Object.defineProperty(child, 'then', { value: result.then.bind(result) });
      return child;
    },
  };
}

const ok = (child: FakeChild): void => {
  child.marker('pid', 5).marker('started');
  child.stdout.write('hi\n');
  child.marker('exit', 0);
  child.exit(0);
};

describe('an execa-like executor (the child is also a promise)', () => {
  it('runWithSsh gets the process, not its result', async () => {
    const result = await runWithSsh(config, agent, store, { shell: 'posix', executor: execaLike((child) => setTimeout(() => ok(child), 10)) });
    expect(result).toMatchObject({ stdout: 'hi\n', remoteExitCode: 0, exitCode: 0 });
    expect(result.errorKind).toBeUndefined();
  });

  it('spawnWithSsh hands back a process with streams', async () => {
    const { child } = await spawnWithSsh(config, agent, store, { shell: 'posix', executor: execaLike((child) => setTimeout(() => ok(child), 10)) });
    expect(typeof child.on).toBe('function');
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect(code).toBe(0);
  });
});
