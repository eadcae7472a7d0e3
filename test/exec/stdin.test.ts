import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { writeStdin } from '../../src/exec/index.js';

/** A pipe that accepts 16 KiB at a time and drains slowly, recording how much was ever queued. */
function slowPipe() {
  const received: Buffer[] = [];
  let maxQueued = 0;
  const stream = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _enc, callback) {
      received.push(chunk);
      setImmediate(callback);
    },
  });
  const write = stream.write.bind(stream);
  stream.write = ((...args: Parameters<Writable['write']>) => {
    const ok = write(...args);
    maxQueued = Math.max(maxQueued, stream.writableLength);
    return ok;
  }) as Writable['write'];
  return { stream, received, maxQueued: () => maxQueued };
}

describe('writeStdin', () => {
  it('delivers 10 MB byte-exact while never queueing more than one chunk past the high-water mark', async () => {
    const text = 'ab😀\n'.repeat(2 * 1024 * 1024); // 16 MiB of UTF-16, 18 MiB of UTF-8, surrogate pairs everywhere
    const pipe = slowPipe();
    const error = await writeStdin(pipe.stream, text, { end: true });
    expect(error).toBeUndefined();
    expect(pipe.stream.writableFinished).toBe(true);
    expect(Buffer.concat(pipe.received).equals(Buffer.from(text, 'utf8'))).toBe(true);
    expect(pipe.maxQueued()).toBeLessThanOrEqual(16 * 1024 + 64 * 1024 * 3);
  });

  it('keeps stdin open when asked', async () => {
    const pipe = slowPipe();
    await writeStdin(pipe.stream, 'hi', { end: false });
    expect(pipe.stream.writableEnded).toBe(false);
    expect(Buffer.concat(pipe.received).toString()).toBe('hi');
  });

  it('resolves with the error (EPIPE) instead of throwing when the reader is gone', async () => {
    const stream = new Writable({
      highWaterMark: 1024,
      write(_chunk, _enc, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const error = await writeStdin(stream, 'x'.repeat(100_000), { end: true });
    expect(error).toMatchObject({ code: 'EPIPE' });
  });

  it('an empty input just ends stdin', async () => {
    const pipe = slowPipe();
    expect(await writeStdin(pipe.stream, '', { end: true })).toBeUndefined();
    expect(pipe.stream.writableFinished).toBe(true);
  });
});
