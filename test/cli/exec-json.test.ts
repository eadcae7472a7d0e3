import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NdjsonRun, ProgressLine } from '../../src/cli/exec-view.js';
import { run } from '../../src/cli/run.js';
import type { SpawnExecutor, SshRunEvent } from '../../src/exec/index.js';
import { fakeExecutor, type FakeChild } from '../exec/fake-executor.js';
import { memoryIo, tempDir } from './helpers.js';

const SECRETS = { apiKey: 'sk-ant-json-secret-41f9', passphrase: 'pp-json-passphrase-77c2', dbPassword: 'db-json-secret-0b1e' };
const tmp = tempDir('sshwrap-cli-json-');
afterAll(() => tmp.cleanup());
const remotesFile = tmp.write(
  'remotes.json',
  JSON.stringify([
    { id: 'box', host: 'box.example.com', username: 'dev', passphrase: SECRETS.passphrase, remoteEnv: { MODE: 'prod', DB_PASSWORD: SECRETS.dbPassword } },
  ]),
);
const env = { XDG_CONFIG_HOME: path.join(tmp.dir, 'xdg'), HOME: tmp.dir };

async function execJson(executor: SpawnExecutor, flags: string[], command: string[]) {
  const io = memoryIo(env, '', { executor, stderrIsTTY: true });
  const code = await run(['exec', 'box', '--remotes', remotesFile, '--json', ...flags, '--', ...command], io);
  const out = io.out();
  expect(out === '' || out.endsWith('\n')).toBe(true);
  const lines = out.split('\n').slice(0, -1).map((line) => JSON.parse(line) as { type: string; [key: string]: unknown });
  // How many objects a stream's output takes depends on how it was read; runs of them count as one.
  const types = lines.map((line) => line.type).filter((type, index, all) => !(type === all[index - 1] && (type === 'stdout' || type === 'stderr')));
  return { code, out, err: io.err(), lines, types };
}

const emoji = Buffer.from('héllo 😀 wörld\n');
const cutInEmoji = emoji.indexOf(Buffer.from('😀')) + 2;

/** A remote run as its script reports it, the output cut inside a multi-byte character. */
function normalRun(child: FakeChild): void {
  child.marker('pid', 4242).marker('started');
  child.stdout.write(emoji.subarray(0, cutInEmoji));
  setTimeout(() => {
    child.stdout.write(emoji.subarray(cutInEmoji));
    child.stderr.write('warn: careful\n');
    child.marker('exit', 3);
    child.exit(3);
  }, 20);
}

const outputOf = (lines: Array<{ type: string; [key: string]: unknown }>, type: string): string =>
  lines.filter((line) => line.type === type).map((line) => line.data).join('');

describe('sshwrap exec --json', () => {
  it('streams the events and the output as NDJSON, in order; the exit status is unchanged', async () => {
    const result = await execJson(fakeExecutor(normalRun), [], ['sh', '-c', 'printf …']);
    expect(result.err).toBe('');
    expect(result.code).toBe(3);
    expect(result.types).toEqual(['resolve', 'connect', 'spawn', 'started', 'first-byte', 'stdout', 'stderr', 'exit']);
    expect(result.lines[0]).toEqual({ type: 'resolve', remoteId: 'box', host: 'box.example.com', at: expect.any(Number) });
    expect(result.lines[2]).toMatchObject({ type: 'spawn', remote: true, command: 'sh', args: ['-c', 'printf …'] });
    expect(result.lines[3]).toMatchObject({ type: 'started', remotePid: 4242 });
    expect(result.lines[4]).toMatchObject({ type: 'first-byte', stream: 'stdout' });
    expect(result.lines.at(-1)).toMatchObject({ type: 'exit', exitCode: 3, remoteExitCode: 3, durationMs: expect.any(Number) });
    // Output objects are exactly {type, data}; events all carry their time stamp.
    for (const line of result.lines) {
      if (line.type === 'stdout' || line.type === 'stderr') expect(Object.keys(line)).toEqual(['type', 'data']);
      else expect(line.at).toEqual(expect.any(Number));
    }
    // A character cut between two reads is never split across two objects.
    expect(result.lines.filter((line) => line.type === 'stdout').map((line) => line.data)).toEqual(['héllo ', '😀 wörld\n']);
    expect(outputOf(result.lines, 'stdout')).toBe(emoji.toString());
    expect(outputOf(result.lines, 'stderr')).toBe('warn: careful\n');
  });

  it('output read before the command is known to have started waits for started and first-byte', async () => {
    // stdout and stderr are separate pipes: the command's output can be read before its status line.
    const executor = fakeExecutor((child) => {
      child.marker('pid', 77);
      child.stdout.write('early\n');
      setTimeout(() => {
        child.marker('started');
        child.marker('exit', 0);
        child.exit(0);
      }, 20);
    });
    const result = await execJson(executor, [], ['echo', 'early']);
    expect(result.types).toEqual(['resolve', 'connect', 'spawn', 'started', 'first-byte', 'stdout', 'exit']);
    expect(result.code).toBe(0);
  });

  it('a failed connection: ssh’s message as stderr output, then error (kind, message, hint) and exit; stderr stays empty, exit 254', async () => {
    const executor = fakeExecutor((child) => {
      child.stderr.write('ssh: connect to host box.example.com port 22: Connection refused\r\n');
      child.exit(255);
    });
    const result = await execJson(executor, [], ['true']);
    expect(result.code).toBe(254);
    expect(result.err).toBe('');
    // A refused connection is retried (3 tries by default), each try's ssh message before its retry.
    expect(result.types).toEqual(['resolve', 'stderr', 'retry', 'stderr', 'retry', 'stderr', 'error', 'exit']);
    expect(outputOf(result.lines, 'stderr')).toContain('Connection refused');
    expect(result.lines.at(-2)).toEqual({
      type: 'error', at: expect.any(Number), errorKind: 'connection-refused', message: expect.stringContaining('Connection refused'), hint: expect.any(String),
    });
    expect(result.lines.at(-1)).toMatchObject({ type: 'exit', exitCode: 255 });
  });

  it('--timeout stopping a running command is an error event (kind timeout) before exit, exit 124', async () => {
    const executor = fakeExecutor((child, index) => {
      // The second child is the remote kill over a second connection.
      if (index > 0) return child.exit(0);
      child.marker('pid', 900).marker('started');
      child.stdout.write('working\n');
    });
    const result = await execJson(executor, ['--timeout', '0.2'], ['sleep', '100']);
    expect(result.code).toBe(124);
    expect(result.err).toBe('');
    expect(result.types).toEqual(['resolve', 'connect', 'spawn', 'started', 'first-byte', 'stdout', 'error', 'exit']);
    expect(result.lines.find((line) => line.type === 'error')).toEqual({ type: 'error', at: expect.any(Number), errorKind: 'timeout', message: 'stopped after --timeout 0.2 s' });
  });

  it('a connection lost after the command started is an error event (kind connection-lost), exit 253', async () => {
    const executor = fakeExecutor((child) => {
      child.marker('pid', 901).marker('started');
      child.stdout.write('half');
      child.exit(255);
    });
    const result = await execJson(executor, [], ['long-job']);
    expect(result.code).toBe(253);
    expect(result.err).toBe('');
    expect(result.types).toEqual(['resolve', 'connect', 'spawn', 'started', 'first-byte', 'stdout', 'error', 'exit']);
    expect(result.lines.find((line) => line.type === 'error')).toMatchObject({ type: 'error', errorKind: 'connection-lost' });
  });

  it('a local ssh that cannot be started: the library’s error event (spawn-failed), exit 254, stderr empty', async () => {
    const result = await execJson(fakeExecutor(() => undefined, 'sync'), [], ['true']);
    expect(result.code).toBe(254);
    expect(result.err).toBe('');
    expect(result.types).toEqual(['resolve', 'error', 'exit']);
    expect(result.lines[1]).toMatchObject({ errorKind: 'spawn-failed', message: expect.stringContaining('E2BIG') });
  });

  it('configuration refused after the remote was picked: the resolve event, then one sshwrap: line on stderr, exit 2', async () => {
    const unsafe = tmp.write('unsafe.json', JSON.stringify([{ id: 'box', host: 'box.example.com', customOptions: { ProxyCommand: 'nc %h %p' } }]));
    const io = memoryIo(env, '', { executor: fakeExecutor(normalRun) });
    expect(await run(['exec', 'box', '--remotes', unsafe, '--json', '--', 'true'], io)).toBe(2);
    expect(io.out().trimEnd().split('\n').map((line) => JSON.parse(line).type)).toEqual(['resolve']);
    expect(io.err()).toMatch(/^sshwrap: customOptions\.ProxyCommand runs a command/);
  });

  it('a run that fails with an exception still writes the output it read', async () => {
    const executor = fakeExecutor((child, index) => {
      if (index > 0) return child.exit(0); // the remote kill
      child.marker('pid', 5).marker('started');
      child.stdout.write('early\n');
      setTimeout(() => child.stdout.write('late\n'), 20);
    });
    const io = memoryIo(env, '', { executor });
    const write = io.stdout.write;
    // Writing the second chunk fails (as a broken stdout would): the run stops with that error.
    io.stdout.write = (chunk) => {
      if (String(chunk).includes('late')) throw new Error('write failed');
      return write(chunk);
    };
    expect(await run(['exec', 'box', '--remotes', remotesFile, '--json', '--', 'true'], io)).toBe(1);
    const lines = io.out().trimEnd().split('\n').map((line) => JSON.parse(line) as { type: string });
    expect(lines.map((line) => line.type)).toEqual(['resolve', 'connect', 'spawn', 'started', 'first-byte', 'stdout']);
    expect(lines.at(-1)).toEqual({ type: 'stdout', data: 'early\n' });
    expect(io.err()).toMatch(/^sshwrap: internal error: write failed/);
  });

  it('usage errors stay one line on stderr, stdout empty', async () => {
    const io = memoryIo(env);
    expect(await run(['exec', 'box', '--remotes', remotesFile, '--json', '--timeout', 'soon', '--', 'true'], io)).toBe(2);
    expect(io.out()).toBe('');
    expect(io.err()).toMatch(/^sshwrap: exec: --timeout expects/);
  });

  it('no secret value in the stream: --env secrets, remoteEnv secrets, the passphrase, a secret repeated in an argument', async () => {
    let child: FakeChild | undefined;
    const executor = fakeExecutor((c) => {
      child = c;
      normalRun(c);
    });
    const result = await execJson(executor, ['--env', `ANTHROPIC_API_KEY=${SECRETS.apiKey}`, '--env', 'PLAIN=visible'], ['claude', `--key=${SECRETS.apiKey}`]);
    expect(result.code).toBe(3);
    expect(result.lines[2]).toMatchObject({ type: 'spawn', command: 'claude', args: ['--key=<redacted>'] });
    for (const secret of Object.values(SECRETS)) expect(result.out).not.toContain(secret);
    // The secret did reach the run (on ssh's stdin): the check above is not vacuous.
    expect(Buffer.concat(child!.stdinData).toString()).toContain(SECRETS.apiKey);
  });
});

describe('NdjsonRun and ProgressLine with a pooled run retried on a fresh master (library callers; the CLI does not pool)', () => {
  const at = 1;
  const retried = (sink: { event(event: SshRunEvent): void; output?(type: 'stdout' | 'stderr', data: string): void }): void => {
    sink.event({ type: 'resolve', at, remoteId: 'box', host: 'box.example.com' });
    sink.output?.('stderr', 'mux_client_request_session: read from master failed\n');
    sink.event({ type: 'retry', at, attempt: 1, errorKind: 'connection-closed', delayMs: 0 });
    sink.event({ type: 'connect', at, reused: false, ms: 5 });
    sink.event({ type: 'spawn', at, remote: true, command: 'echo', args: ['hi'] });
    sink.output?.('stdout', 'hi\n');
    sink.event({ type: 'started', at, remotePid: 9 });
    sink.event({ type: 'first-byte', at, stream: 'stdout', ms: 9 });
    sink.event({ type: 'exit', at, exitCode: 0, remoteExitCode: 0, durationMs: 10 });
  };

  it('the failed attempt’s output comes before retry; the new attempt’s output waits for its own first-byte', () => {
    const written: string[] = [];
    const stream = new NdjsonRun({ write: (chunk) => written.push(String(chunk)) });
    retried(stream);
    stream.end();
    const types = written.map((line) => (JSON.parse(line) as { type: string }).type);
    expect(types).toEqual(['resolve', 'stderr', 'retry', 'connect', 'spawn', 'started', 'first-byte', 'stdout', 'exit']);
  });

  it('the progress line says it reconnects', () => {
    const written: string[] = [];
    const progress = new ProgressLine({ write: (chunk) => written.push(String(chunk)) });
    retried({ event: (event) => progress.event(event) });
    expect(written).toEqual(['sshwrap: connecting to box.example.com…', '\r\x1b[Ksshwrap: reconnecting to box.example.com…', '\r\x1b[Ksshwrap: started on box.example.com', '\r\x1b[K']);
  });
});
