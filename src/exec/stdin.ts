import type { Writable } from 'node:stream';

/** UTF-16 code units per write: large enough to be fast, small enough to keep memory flat. */
const CHUNK_UNITS = 64 * 1024;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Writes `text` to a child's stdin in chunks, waiting for `'drain'` whenever the pipe is full,
 * so a 10 MB prompt is never copied into one huge pending buffer. Never rejects: a child that
 * exits without reading (ssh failing before the session starts) makes the write fail with
 * EPIPE, which is reported as the resolved error instead of crashing the process.
 *
 * @example
 * ```ts
 * const error = await writeStdin(child.stdin!, prompt, { end: true });
 * if (error) console.warn('stdin not fully delivered:', error.message);
 * ```
 */
export function writeStdin(stdin: Writable, text: string, options: { end: boolean }): Promise<Error | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    let offset = 0;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      stdin.removeListener('error', onError);
      stdin.removeListener('close', onClose);
      stdin.removeListener('drain', pump);
      // A late EPIPE after we are done must still not become an uncaught error.
      stdin.on('error', () => {});
      resolve(error);
    };
    const onError = (error: Error): void => finish(error);
    const onClose = (): void => finish(offset < text.length ? new Error('stdin closed before all input was written') : undefined);
    function pump(): void {
      while (offset < text.length) {
        if (stdin.destroyed || stdin.writableEnded) return finish(new Error('stdin closed before all input was written'));
        let end = Math.min(offset + CHUNK_UNITS, text.length);
        // Never split a surrogate pair: each half alone would be encoded as U+FFFD.
        if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
        const chunk = text.slice(offset, end);
        offset = end;
        if (!stdin.write(chunk, 'utf8')) {
          stdin.once('drain', pump);
          return;
        }
      }
      if (!options.end) return finish();
      stdin.end(() => finish());
    }
    stdin.on('error', onError);
    stdin.on('close', onClose);
    pump();
  });
}
