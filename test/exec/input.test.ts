import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { runWithSsh, type RunWithSshOptions } from '../../src/exec/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { fakeExecutor, type FakeChild } from './fake-executor.js';

const remote = { id: 'r1', host: 'input.example', username: 'dev', port: 2222 };
const store = createMemoryStoreAdapter([remote]);
const agent = { enabled: true, remoteId: 'r1' };
const config = { command: 'cat', args: [], cwd: '/srv/app' };
const REFUSED = 'ssh: connect to host input.example port 2222: Connection refused\r\n';

function run(behave: (child: FakeChild, index: number) => void, options: RunWithSshOptions) {
  const executor = fakeExecutor(behave);
  return { executor, result: runWithSsh(config, agent, store, { shell: 'posix', executor, retry: { attempts: 3, minDelayMs: 1, maxDelayMs: 2 }, ...options }) };
}

/** Behaves like `cat` once started: every stdin byte written after `started` goes to stdout. */
function catAfterStart(child: FakeChild): void {
  const before = Buffer.concat(child.stdinData).length;
  child.marker('pid', 9).marker('started');
  child.stdin.on('end', () => {
    child.stdout.write(Buffer.concat(child.stdinData).subarray(before));
    child.marker('exit', 0);
    child.exit(0);
  });
}

describe('runWithSsh input', () => {
  it('bytes (NUL included) reach the command only after it started, then stdin ends', async () => {
    const data = Uint8Array.from([0, 1, 2, 255, 10, 0, 65]);
    let beforeStart = -1;
    const { executor, result } = run(
      (child) =>
        setTimeout(() => {
          beforeStart = Buffer.concat(child.stdinData).length;
          catAfterStart(child);
        }, 30),
      { input: data },
    );
    expect(await result).toMatchObject({ remoteExitCode: 0 });
    expect(beforeStart).toBe(0);
    expect(Buffer.concat(executor.children[0]!.stdinData)).toEqual(Buffer.from(data));
  });

  it('a stream is piped through; a try refused before the start does not consume it', async () => {
    const chunks = ['line 1\n', 'line 2\n', 'é€\n'];
    const input = Readable.from(chunks.map((chunk) => Buffer.from(chunk)));
    const { executor, result } = run(
      (child, index) => {
        if (index === 0) {
          child.stderr.write(REFUSED);
          return child.exit(255);
        }
        catAfterStart(child);
      },
      { input },
    );
    const r = await result;
    expect(r).toMatchObject({ attempts: 2, remoteExitCode: 0, stdout: chunks.join('') });
    expect(Buffer.concat(executor.children[0]!.stdinData).toString()).toBe('');
  });

  it('a string goes as UTF-8 and the wrap asks for the command to read ssh stdin (no lifeline)', async () => {
    const { executor, result } = run(catAfterStart, { input: 'héllo\n' });
    expect(await result).toMatchObject({ stdout: 'héllo\n', remoteExitCode: 0 });
    // keepStdin semantics: the remote script hands ssh's stdin to the command; no watcher.
    expect(executor.children[0]!.args.join(' ')).not.toMatch(/__sw_w/);
  });

  it.each([[42], [{ read: true }], [null]])('refuses %j before spawning', async (input) => {
    const executor = fakeExecutor(() => {});
    await expect(runWithSsh(config, agent, store, { executor, input: input as never })).rejects.toThrow(SshWrapError);
    expect(executor.children).toHaveLength(0);
  });
});
