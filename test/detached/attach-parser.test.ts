import { describe, expect, it } from 'vitest';
import { AttachStreamParser } from '../../src/detached/attach-parser.js';

function collect(from = { stdout: 0, stderr: 0 }) {
  const out: string[] = [];
  const err: string[] = [];
  const parser = new AttachStreamParser('tok', from, { onStdout: (t) => out.push(t), onStderr: (t) => err.push(t) });
  return { parser, out, err };
}

const record = (tag: 'O' | 'E', at: number, data: string | Buffer): Buffer => {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data);
  return Buffer.concat([Buffer.from(`${tag} ${at} ${bytes.length}\n`), bytes]);
};

describe('AttachStreamParser', () => {
  it('skips login noise before the frame line, then delivers records and the end', () => {
    const { parser, out, err } = collect();
    parser.push(Buffer.concat([Buffer.from('motd\nO 0 3\nfake\n\ntok:frame\n'), record('O', 0, 'abc'), Buffer.from('H\n'), record('E', 0, 'x\n'), Buffer.from('X exited 7 2026-01-01T00:00:00Z\n')]));
    expect(out.join('')).toBe('abc');
    expect(err.join('')).toBe('x\n');
    expect(parser.offsets).toEqual({ stdout: 3, stderr: 2 });
    expect(parser.end).toEqual({ state: 'exited', exitCode: 7 });
  });

  it('byte by byte: the frame line, headers and a UTF-8 sequence split anywhere', () => {
    const { parser, out } = collect();
    const stream = Buffer.concat([Buffer.from('\ntok:frame\n'), record('O', 0, 'é✓z'), Buffer.from('X lost - -\n')]);
    for (const byte of stream) parser.push(Buffer.from([byte]));
    expect(out.join('')).toBe('é✓z');
    expect(out.every((chunk) => !chunk.includes('\ufffd'))).toBe(true);
    expect(parser.offsets.stdout).toBe(Buffer.byteLength('é✓z'));
    expect(parser.end).toEqual({ state: 'lost' });
  });

  it('after a reconnect, replays bytes before the offset are skipped, never delivered twice', () => {
    const { parser, out } = collect();
    parser.push(Buffer.concat([Buffer.from('\ntok:frame\n'), record('O', 0, 'hello ')]));
    // The connection died inside a record: 4 of 8 bytes arrived.
    parser.push(Buffer.from('O 6 8\nwor'));
    expect(parser.offsets.stdout).toBe(9);
    parser.reset();
    // The next connection asked from 9, but a record may start earlier (a slower remote view).
    parser.push(Buffer.concat([Buffer.from('noise\n\ntok:frame\n'), record('O', 6, 'world!\n'), Buffer.from('X exited 0 -\n')]));
    expect(out.join('')).toBe('hello world!\n');
    expect(parser.offsets.stdout).toBe(13);
  });

  it('starts at fromOffset and refuses a record that would skip bytes', () => {
    const { parser, out } = collect({ stdout: 10, stderr: 0 });
    parser.push(Buffer.concat([Buffer.from('\ntok:frame\n'), record('O', 10, 'k')]));
    expect(out.join('')).toBe('k');
    expect(() => parser.push(record('O', 20, 'gap'))).toThrow(/would be lost/);
  });

  it('refuses garbage after the frame line', () => {
    const { parser } = collect();
    expect(() => parser.push(Buffer.from('\ntok:frame\nhello there\n'))).toThrow(/unexpected record/);
  });

  it('finish() flushes an incomplete UTF-8 tail as U+FFFD', () => {
    const { parser, out } = collect();
    parser.push(Buffer.concat([Buffer.from('\ntok:frame\n'), record('O', 0, Buffer.from([0x61, 0xc3]))]));
    expect(out.join('')).toBe('a');
    expect(parser.finish().stdout).toBe('\ufffd');
  });
});
