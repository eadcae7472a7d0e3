import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { fakeExecutor } from '../exec/fake-executor.js';
import { memoryIo, tempDir } from './helpers.js';

// The fan-out itself runs against a real sshd in test/integration/fleet.test.ts; here: usage.
describe('exec --on / --on-all usage', () => {
  const files = tempDir('sshwrap-exec-many-');
  afterAll(() => files.cleanup());
  const remotes = files.write('remotes.json', JSON.stringify([{ id: 'a', host: 'a.example.invalid' }, { id: 'b', host: 'b.example.invalid', enabled: false }]));
  const empty = files.write('empty.json', JSON.stringify([{ id: 'off', host: 'x.example.invalid', enabled: false }]));

  it.each([
    [['exec', '--on', 'a', 'a', '--remotes', remotes, '--', 'true'], 'no <remote> argument'],
    [['exec', '--on', 'a', '--on-all', '--remotes', remotes, '--', 'true'], 'either --on or --on-all'],
    [['exec', '--on', 'a', '--json', '--remotes', remotes, '--', 'true'], '--json works with one <remote> only'],
    [['exec', '--on', 'a,,b', '--remotes', remotes, '--', 'true'], 'comma-separated'],
    [['exec', '--on', 'a', '--concurrency', '0', '--remotes', remotes, '--', 'true'], '--concurrency expects a positive integer'],
    [['exec', '--on', 'a', '--per-host', 'x', '--remotes', remotes, '--', 'true'], '--per-host expects a positive integer'],
    [['exec', '--on', 'a', '--remotes', remotes], 'missing the remote command'],
    [['exec', 'a', '--fail-fast', '--remotes', remotes, '--', 'true'], '--fail-fast works with --on or --on-all only'],
    [['exec', '--on-all', '--remotes', empty, '--', 'true'], 'no enabled remote'],
    [['exec', '--on', 'a,nope', '--remotes', remotes, '--', 'true'], 'unknown remote "nope"'],
  ])('%j → exit 2', async (argv, message) => {
    const executor = fakeExecutor(() => {
      throw new Error('spawned');
    });
    const io = memoryIo({ XDG_CONFIG_HOME: files.dir }, '', { executor });
    expect(await run(argv, io)).toBe(2);
    expect(io.err()).toContain(message);
    expect(io.out()).toBe('');
    expect(executor.children).toHaveLength(0);
  });
});
