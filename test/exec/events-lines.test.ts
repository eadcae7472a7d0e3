import { describe, expect, it } from 'vitest';
import { runWithSsh, spawnWithSsh, wrapSpawnWithSsh, type SshRunEvent } from '../../src/exec/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { fakeExecutor, type FakeChild } from './fake-executor.js';

const SECRETS = ['sk-custom-secret-1', 'sk-secretenv-2', 'pp-passphrase-3'] as const;
const remote = { id: 'r1', host: 'gpu.example', username: 'dev', passphrase: SECRETS[2] };
const store = createMemoryStoreAdapter([remote]);
const agent = { enabled: true, remoteId: 'r1' };
const config = { command: 'claude', args: ['--print', `--key=${SECRETS[0]}`], cwd: '/srv/app', customEnvVars: { ANTHROPIC_API_KEY: SECRETS[0], MODE: 'x' } };

/** A remote run as the script reports it: pid, started, output in awkward chunks, exit. */
function normalRun(child: FakeChild): void {
  const t = child.token;
  child.stderr.write(`\n${t}:pid:4242\n\n${t}:started\n`);
  const text = Buffer.from('{"type":"init"}\r\nnot json\n{"type":"result","text":"héllo 😀"}\n\npartial');
  // Split inside the emoji and inside the \r\n: lines and characters must still arrive whole.
  const cut = text.indexOf(Buffer.from('😀')) + 2;
  child.stdout.write(text.subarray(0, 16));
  child.stdout.write(text.subarray(16, cut));
  child.stdout.write(text.subarray(cut));
  child.stderr.write('warn 1\nwarn 2');
  child.stderr.write(`\n${t}:exit:0\n`);
  child.exit(0);
}

describe('line and JSON callbacks', () => {
  it('runWithSsh: each line once, \\r dropped, UTF-8 whole across chunks, the unterminated last line at the end', async () => {
    const lines: string[] = [];
    const errLines: string[] = [];
    const json: unknown[] = [];
    const bad: string[] = [];
    const result = await runWithSsh(config, agent, store, {
      executor: fakeExecutor(normalRun),
      onStdoutLine: (line) => lines.push(line),
      onStderrLine: (line) => errLines.push(line),
      onJsonLine: (value) => json.push(value),
      onJsonError: (error, line) => {
        expect(error).toBeInstanceOf(SyntaxError);
        bad.push(line);
      },
    });
    expect(lines).toEqual(['{"type":"init"}', 'not json', '{"type":"result","text":"héllo 😀"}', '', 'partial']);
    expect(errLines).toEqual(['warn 1', 'warn 2']);
    expect(json).toEqual([{ type: 'init' }, { type: 'result', text: 'héllo 😀' }]);
    expect(bad).toEqual(['not json', 'partial']);
    expect(result.stdout).toContain('not json'); // never lost
  });

  it('a callback that throws fails the run: the error is rethrown once the process is gone', async () => {
    const executor = fakeExecutor(normalRun);
    await expect(
      runWithSsh(config, agent, store, {
        executor,
        onJsonLine: () => {
          throw new Error('consumer bug');
        },
      }),
    ).rejects.toThrow('consumer bug');
    expect(executor.children[0]!.exitCode).not.toBeNull();
  });

  it('spawnWithSsh: the callbacks see the output while the caller reads child.stdout too', async () => {
    const lines: string[] = [];
    const { child } = await spawnWithSsh(config, agent, store, { executor: fakeExecutor(normalRun), onStdoutLine: (line) => lines.push(line) });
    let read = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (read += chunk));
    await new Promise((resolve) => child.once('close', resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(read).toBe('{"type":"init"}\r\nnot json\n{"type":"result","text":"héllo 😀"}\n\npartial');
    expect(lines.at(-1)).toBe('partial');
  });

  it('spawnWithSsh: a consumer that stops reading holds ssh back (backpressure), nothing piles up', async () => {
    let fake!: FakeChild;
    let accepted = 0;
    const { child } = await spawnWithSsh(config, agent, store, {
      executor: fakeExecutor((c) => {
        fake = c;
        c.stderr.write(`\n${c.token}:pid:7\n\n${c.token}:started\n`);
      }),
    });
    child.stdout!.pause();
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    for (let i = 0; i < 200; i++) {
      if (!fake.stdout.write(chunk)) break;
      accepted++;
    }
    // Bounded by the pipes' high-water marks, far below the 12.5 MiB offered.
    expect(accepted).toBeLessThan(20);
    child.stdout!.resume();
    fake.exit(0);
  });
});

describe('events', () => {
  const collect = () => {
    const events: SshRunEvent[] = [];
    return { events, onEvent: (event: SshRunEvent) => events.push(event) };
  };

  it('a normal remote run: resolve, connect, spawn, started, first-byte, exit, and no secret anywhere', async () => {
    const { events, onEvent } = collect();
    await runWithSsh(config, agent, store, { executor: fakeExecutor(normalRun), onEvent, secretEnv: { TOKEN_X: SECRETS[1] } });
    expect(events.map((event) => event.type)).toEqual(['resolve', 'connect', 'spawn', 'started', 'first-byte', 'exit']);
    expect(events[0]).toMatchObject({ remoteId: 'r1', host: 'gpu.example' });
    expect(events[1]).toMatchObject({ reused: false, ms: expect.any(Number) });
    expect(events[2]).toMatchObject({ remote: true, command: 'claude', args: ['--print', '--key=<redacted>'] });
    expect(events[3]).toMatchObject({ remotePid: 4242 });
    expect(events[4]).toMatchObject({ stream: 'stdout' });
    expect(events[5]).toMatchObject({ exitCode: 0, remoteExitCode: 0 });
    for (const event of events) expect(typeof event.at).toBe('number');
    const text = JSON.stringify(events);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

  it('a failed connection: resolve, retries, error, exit (no connect)', async () => {
    const { events, onEvent } = collect();
    await runWithSsh(config, agent, store, {
      executor: fakeExecutor((child) => {
        child.stderr.write('ssh: connect to host gpu.example port 22: Connection refused\r\n');
        child.exit(255);
      }),
      onEvent,
    });
    // A refused connection is retried by default (3 tries in all), then reported.
    expect(events.map((event) => event.type)).toEqual(['resolve', 'retry', 'retry', 'error', 'exit']);
    expect(events[1]).toMatchObject({ attempt: 1, errorKind: 'connection-refused' });
    expect(events[3]).toMatchObject({ errorKind: 'connection-refused', hint: expect.any(String) });
  });

  it('spawnWithSsh and wrapSpawnWithSsh report their part', async () => {
    const spawned = collect();
    const { child } = await spawnWithSsh(config, agent, store, { executor: fakeExecutor(normalRun), onEvent: spawned.onEvent });
    child.stdout!.resume();
    child.stderr!.resume();
    await new Promise((resolve) => child.once('close', resolve));
    expect(spawned.events.map((event) => event.type)).toEqual(['resolve', 'connect', 'spawn', 'started', 'first-byte', 'exit']);
    const wrapped = collect();
    await wrapSpawnWithSsh(config, agent, store, { onEvent: wrapped.onEvent });
    expect(wrapped.events.map((event) => event.type)).toEqual(['resolve', 'spawn']);
    expect(JSON.stringify([...spawned.events, ...wrapped.events])).not.toContain(SECRETS[0]);
  });

  it('a local run has no connect', async () => {
    const { events, onEvent } = collect();
    await runWithSsh({ command: process.execPath, args: ['-e', 'process.stdout.write("x")'], cwd: process.cwd() }, null, store, { onEvent });
    expect(events.map((event) => event.type)).toEqual(['resolve', 'spawn', 'started', 'first-byte', 'exit']);
    expect(events[0]).toMatchObject({ remoteId: null, host: null });
  });
});
