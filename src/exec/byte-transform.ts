import { Transform, type TransformCallback } from 'node:stream';

/** A Transform over a push-style byte parser (`write`/`end`), so parsers stay plain classes. */
export function transformOver<F extends { write(chunk: Buffer): void; end(): void }>(make: (push: (chunk: Buffer) => void, stream: Transform) => F): { stream: Transform; frame: F } {
  let frame: F;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      frame.write(chunk);
      callback();
    },
    flush(callback: TransformCallback) {
      frame.end();
      callback();
    },
  });
  frame = make((chunk) => stream.push(chunk), stream);
  return { stream, frame };
}
