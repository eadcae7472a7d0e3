import type { Writable } from 'node:stream';
import { SshWrapError } from '../errors/index.js';

/** What `RunWithSshOptions.input` accepts. */
export type RunInput = string | Uint8Array | NodeJS.ReadableStream;

function isReadable(value: unknown): value is NodeJS.ReadableStream {
  return typeof value === 'object' && value !== null && typeof (value as NodeJS.ReadableStream).pipe === 'function' && typeof (value as NodeJS.ReadableStream).on === 'function';
}

/**
 * Refuses an `input` that is neither text, bytes nor a readable stream.
 *
 * @throws {SshWrapError} `INVALID_CONFIG` (`field: 'input'`).
 * @example
 * ```ts
 * checkInput(fs.createReadStream('data.csv')); // fine
 * ```
 */
export function checkInput(input: unknown): void {
  if (input === undefined || typeof input === 'string' || input instanceof Uint8Array || isReadable(input)) return;
  throw new SshWrapError('INVALID_CONFIG', 'input must be a string, a Uint8Array or a readable stream', { field: 'input' });
}

/**
 * Writes `input` to the command's stdin, then ends it; returns a function that detaches a stream
 * input (the run ended first: the caller's stream is left as it is, not destroyed).
 */
export function pipeInput(stdin: Writable | null, input: RunInput): () => void {
  if (!stdin || stdin.destroyed || stdin.writableEnded) return () => {};
  // The command may exit without reading everything: EPIPE is its choice, not a run failure.
  stdin.on('error', () => {});
  if (!isReadable(input)) {
    stdin.end(typeof input === 'string' ? Buffer.from(input, 'utf8') : input);
    return () => {};
  }
  input.pipe(stdin);
  return () => input.unpipe(stdin);
}
