import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { ChildProcessLike } from '../process/executor.js';
import type { RunCallbacks, RunProgress } from './events.js';
import { LineSink, type LineCallbacks } from './lines.js';

/**
 * The child as `spawnWithSsh` hands it out, with its output observed on the way through: the
 * `first-byte` event and the line/JSON callbacks see each chunk as it passes, in a Transform that
 * keeps the stream's backpressure (a consumer that stops reading stops ssh, and the remote
 * command, instead of buffering without bound). When a line callback is given for a stream that
 * the caller has not started consuming by the next tick, it is drained for the callbacks.
 */
export function observeOutput(child: ChildProcessLike, callbacks: RunCallbacks, lineCallbacks: LineCallbacks, progress: RunProgress): ChildProcessLike {
  const lines = LineSink.forRun(lineCallbacks, callbacks);
  const tap = (stream: Readable | null, name: 'stdout' | 'stderr'): Readable | null => {
    if (!stream) return null;
    const sink = lines[name];
    const tapped = new Transform({
      transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
        if (chunk.length > 0) progress.output(name);
        sink?.write(chunk);
        callback(null, chunk);
      },
      flush(callback: TransformCallback) {
        void (sink?.end() ?? Promise.resolve()).then(() => callback());
      },
    });
    // Markers and errors of the underlying stream stay visible on the one the caller holds.
    stream.on('marker', (marker: unknown) => tapped.emit('marker', marker));
    stream.on('error', (error: Error) => tapped.destroy(error));
    stream.pipe(tapped);
    if (sink) process.nextTick(() => tapped.readableFlowing === null && tapped.resume());
    return tapped;
  };
  const stdout = tap(child.stdout, 'stdout');
  const stderr = tap(child.stderr, 'stderr');
  return new Proxy(child, {
    get(target, property) {
      if (property === 'stdout') return stdout;
      if (property === 'stderr') return stderr;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
