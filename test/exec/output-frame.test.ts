import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { StderrFrame, StdoutFrame, createOutputDeframer } from '../../src/exec/output-frame.js';
import type { StatusMarker } from '../../src/exec/markers.js';
import { markerLine, stdoutFrameLine, type SshSpawnWrapResult } from '../../src/wrap/index.js';

const TOKEN = 'swm_0123456789abcdef01234567';
const OTHER = 'swm_fedcba9876543210fedcba98';

/** Splits `bytes` at the given cut points (a chunking the network might produce). */
function chunks(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const point of points) {
    out.push(bytes.subarray(from, point));
    from = point;
  }
  out.push(bytes.subarray(from));
  return out;
}

function runStdout(stream: Buffer, cuts: number[] = []): { out: Buffer; login: string; framed: boolean } {
  const got: Buffer[] = [];
  const frame = new StdoutFrame(TOKEN, (chunk) => got.push(chunk));
  for (const chunk of chunks(stream, cuts)) frame.write(chunk);
  frame.end();
  return { out: Buffer.concat(got), login: frame.loginText(), framed: frame.framed };
}

function runStderr(stream: Buffer, cuts: number[] = []): { out: string; login: string; markers: StatusMarker[] } {
  const got: Buffer[] = [];
  const markers: StatusMarker[] = [];
  const frame = new StderrFrame(TOKEN, { onData: (chunk) => got.push(chunk), onMarker: (marker) => markers.push(marker) });
  for (const chunk of chunks(stream, cuts)) frame.write(chunk);
  frame.end();
  return { out: Buffer.concat(got).toString('utf8'), login: frame.loginText(), markers };
}

// Login noise as rc files print it: with and without a trailing newline, other runs' marker-like
// lines, a look-alike of this run's frame, non-ASCII.
const noise = fc.oneof(
  fc.constantFrom('', 'rc-noise', 'rc-noise\n', 'Welcome!\r\n', `\n${OTHER}:stdout\n`, `\n${OTHER}:pid:1\n`, `${TOKEN}:stdout`, `\n${TOKEN}:stdou\n`, 'ünïcødé ✓\n'),
  fc.string({ maxLength: 40 }).filter((text) => !text.includes(`${TOKEN}:`)),
);
const output = fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes));
const cuts = fc.array(fc.nat({ max: 400 }), { maxLength: 8 });

describe('StdoutFrame', () => {
  it('property: the command output arrives byte-exact and the noise lands in loginOutput, however chunked', () => {
    fc.assert(
      fc.property(noise, output, cuts, (before, command, at) => {
        const stream = Buffer.concat([Buffer.from(before), Buffer.from(stdoutFrameLine(TOKEN)), command]);
        const { out, login, framed } = runStdout(stream, at);
        expect(framed).toBe(true);
        expect(out.equals(command)).toBe(true);
        expect(login).toBe(before);
      }),
      { numRuns: 400, seed: 11 },
    );
  });

  it('a command that prints nothing gives empty stdout; a binary one keeps every byte', () => {
    expect(runStdout(Buffer.from(`noise${stdoutFrameLine(TOKEN)}`)).out.length).toBe(0);
    const binary = Buffer.from([0, 255, 10, 13, 0x80, 0xc3]);
    expect(runStdout(Buffer.concat([Buffer.from(stdoutFrameLine(TOKEN)), binary]), [1, 5, 9]).out.equals(binary)).toBe(true);
  });

  it('only the first frame line frames: a command printing it later keeps it in its output', () => {
    const later = `x${stdoutFrameLine(TOKEN)}y`;
    expect(runStdout(Buffer.from(`${stdoutFrameLine(TOKEN)}${later}`)).out.toString()).toBe(later);
  });

  it('without a frame line (the script never ran) every byte is login output, none is command output', () => {
    expect(runStdout(Buffer.from('motd only\n'), [3])).toEqual({ out: Buffer.alloc(0), login: 'motd only\n', framed: false });
  });
});

describe('StderrFrame', () => {
  it('property: noise before the first status line is login output; the command stderr arrives exact', () => {
    fc.assert(
      fc.property(noise, fc.string({ maxLength: 80 }), cuts, (before, commandErr, at) => {
        const stream = Buffer.from(`${before}${markerLine(TOKEN, 'pid', 4242)}${markerLine(TOKEN, 'started')}${commandErr}${markerLine(TOKEN, 'exit', 0)}`);
        const { out, login, markers } = runStderr(stream, at);
        expect(login).toBe(before);
        expect(out).toBe(commandErr);
        expect(markers.map((m) => m.event)).toEqual(['pid', 'started', 'exit']);
      }),
      { numRuns: 400, seed: 12 },
    );
  });

  it("ssh's own diagnostics (no status line ever) stay stderr, for the error classification", () => {
    expect(runStderr(Buffer.from('ssh: connect to host h port 22: Connection refused\r\n'), [10])).toEqual({
      out: 'ssh: connect to host h port 22: Connection refused\r\n',
      login: '',
      markers: [],
    });
  });

  it("the script's own messages between pid and started stay stderr", () => {
    const stream = `rc\n${markerLine(TOKEN, 'pid', 7)}sh: 1: cd: can't cd to /nope\n${markerLine(TOKEN, 'cwd-missing')}`;
    expect(runStderr(Buffer.from(stream))).toMatchObject({ login: 'rc\n', out: "sh: 1: cd: can't cd to /nope\n" });
  });
});

describe('createOutputDeframer', () => {
  const framed = { command: 'ssh', args: [], cwd: '/', sshRemoteUsed: null, statusMarker: TOKEN, frameOutput: true } as unknown as SshSpawnWrapResult;

  it('gives two Transform streams with the clean output and the login output after the end', async () => {
    const deframer = createOutputDeframer(framed);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const markers: StatusMarker[] = [];
    deframer.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    deframer.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    deframer.stderr.on('marker', (marker: StatusMarker) => markers.push(marker));
    deframer.stdout.end(`hello from bashrc${stdoutFrameLine(TOKEN)}{"type":"result"}\n`);
    deframer.stderr.end(`zshenv says hi\n${markerLine(TOKEN, 'pid', 9)}${markerLine(TOKEN, 'started')}warn\n${markerLine(TOKEN, 'exit', 3)}`);
    await Promise.all([new Promise((r) => deframer.stdout.on('end', r)), new Promise((r) => deframer.stderr.on('end', r))]);
    expect(Buffer.concat(out).toString()).toBe('{"type":"result"}\n');
    expect(Buffer.concat(err).toString()).toBe('warn\n');
    expect(markers).toEqual([{ event: 'pid', value: 9 }, { event: 'started' }, { event: 'exit', value: 3 }]);
    expect(deframer.loginOutput()).toEqual({ stdout: 'hello from bashrc', stderr: 'zshenv says hi\n' });
  });

  it('refuses a wrap result that is not framed', () => {
    expect(() => createOutputDeframer({ ...framed, frameOutput: undefined })).toThrow(SshWrapError);
  });
});
