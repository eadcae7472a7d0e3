import { randomBytes } from 'node:crypto';
import type { Transform } from 'node:stream';
import { transformOver } from './byte-transform.js';
import type { RemoteScriptEvent } from '../wrap/index.js';
import { STATUS_MARKER_TOKEN } from '../schemas/fields.js';

/**
 * One status line the remote script wrote (see `markerLine()` in the wrap layer).
 *
 * @example
 * ```ts
 * const marker: StatusMarker = { event: 'exit', value: 0 };
 * ```
 */
export interface StatusMarker {
  event: RemoteScriptEvent;
  /** The number after `pid:` or `exit:`; `undefined` for the other events. */
  value?: number;
}

// Events and their data exactly as remote-script.ts writes them; anything else is not a marker.
const MARKER_BODY = /^(?:(pid|exit):(\d{1,10})|(cwd-missing|not-found|started|stdin-missing|login-timeout|login-failed))$/;
// `exit:` + 10 digits, the longest body MARKER_BODY accepts (`stdin-missing` and `login-timeout` are 13).
const LONGEST_BODY = 'exit:'.length + 10;

/**
 * A fresh random marker token (`[A-Za-z0-9_-]+`), unguessable by the remote command, so its
 * own output can never fake or collide with a status line.
 *
 * @example
 * ```ts
 * randomMarkerToken(); // 'swm_3f9c0a1b2d4e5f60718293a4'
 * ```
 */
export function randomMarkerToken(): string {
  return `swm_${randomBytes(12).toString('hex')}`;
}

/**
 * Callbacks of {@link StatusMarkerParser}, called synchronously and in stream order.
 *
 * @example
 * ```ts
 * const handlers: StatusMarkerHandlers = { onData: (bytes) => process.stderr.write(bytes), onMarker: (m) => console.debug(m) };
 * ```
 */
export interface StatusMarkerHandlers {
  /** Stderr bytes with the marker lines removed (never empty). */
  onData(chunk: Buffer): void;
  onMarker?(marker: StatusMarker): void;
}

/**
 * Removes `\n<token>:<event>[:<n>]\n` lines from a byte stream, however the stream is chunked,
 * and reports each one. Bytes that only look like the start of a marker are held back until the
 * next chunk decides; anything that turns out not to be a marker is passed through unchanged.
 * The remote command's own output (it never knows the token) is delivered byte-exact.
 *
 * @example
 * ```ts
 * const parser = new StatusMarkerParser('tok', { onData: (b) => out.push(b), onMarker: (m) => seen.push(m) });
 * parser.write(Buffer.from('hello\ntok:ex'));
 * parser.write(Buffer.from('it:3\n'));
 * parser.end(); // out: 'hello', seen: [{ event: 'exit', value: 3 }]
 * ```
 */
export class StatusMarkerParser {
  private readonly prefix: Buffer;
  private readonly maxMarkerBytes: number;
  private pending: Buffer = Buffer.alloc(0);
  private ended = false;

  constructor(
    token: string,
    private readonly handlers: StatusMarkerHandlers,
  ) {
    if (!STATUS_MARKER_TOKEN.test(token)) throw new TypeError('marker token must match [A-Za-z0-9_-]+');
    this.prefix = Buffer.from(`\n${token}:`);
    this.maxMarkerBytes = this.prefix.length + LONGEST_BODY + 1;
  }

  /** Feeds the next chunk of stderr. */
  write(chunk: Buffer | string): void {
    if (this.ended) throw new Error('StatusMarkerParser: write after end');
    const data = Buffer.concat([this.pending, Buffer.from(chunk)]);
    this.pending = Buffer.alloc(0);
    this.scan(data);
  }

  /** Flushes held-back bytes: an unfinished marker at the very end is ordinary output. */
  end(): void {
    // A second end() finds nothing pending: it emits nothing.
    this.ended = true;
    this.emit(this.pending);
    this.pending = Buffer.alloc(0);
  }

  private emit(bytes: Buffer): void {
    if (bytes.length > 0) this.handlers.onData(bytes);
  }

  private scan(data: Buffer): void {
    let from = 0; // start of bytes not yet emitted
    let searchAt = 0;
    for (;;) {
      const at = data.indexOf(this.prefix, searchAt);
      if (at < 0) break;
      const bodyStart = at + this.prefix.length;
      const newline = data.indexOf(0x0a, bodyStart);
      if (newline < 0 || newline - at + 1 > this.maxMarkerBytes) {
        if (newline < 0 && data.length - at < this.maxMarkerBytes) {
          // Possibly a marker split across chunks: keep it for the next write.
          this.emit(data.subarray(from, at));
          this.pending = Buffer.from(data.subarray(at));
          return;
        }
        searchAt = at + 1;
        continue;
      }
      const match = MARKER_BODY.exec(data.toString('latin1', bodyStart, newline));
      if (!match) {
        searchAt = at + 1;
        continue;
      }
      this.emit(data.subarray(from, at));
      const event = (match[1] ?? match[3]) as RemoteScriptEvent;
      this.handlers.onMarker?.(match[2] === undefined ? { event } : { event, value: Number(match[2]) });
      from = newline + 1;
      searchAt = from;
    }
    // Hold back a tail that could be the beginning of the prefix.
    const keep = this.partialPrefixLength(data, from);
    this.emit(data.subarray(from, data.length - keep));
    if (keep > 0) this.pending = Buffer.from(data.subarray(data.length - keep));
  }

  /** Length of the longest suffix of data[from..] that is a proper prefix of `\n<token>:`. */
  private partialPrefixLength(data: Buffer, from: number): number {
    const max = Math.min(this.prefix.length - 1, data.length - from);
    for (let length = max; length > 0; length--) {
      if (data.compare(this.prefix, 0, length, data.length - length, data.length) === 0) return length;
    }
    return 0;
  }
}

/**
 * A Transform stream around {@link StatusMarkerParser}: pipe ssh's stderr through it to get the
 * stderr a caller should see; every marker is also emitted as a `'marker'` event.
 *
 * @example
 * ```ts
 * const { child } = await spawnWithSsh(config, agentSsh, store, { statusMarker: token });
 * const stderr = child.stderr!.pipe(createStatusMarkerStripper(token));
 * stderr.on('marker', (m: StatusMarker) => m.event === 'started' && console.log('remote command started'));
 * stderr.pipe(process.stderr);
 * ```
 */
export function createStatusMarkerStripper(token: string): Transform {
  return transformOver((push, stream) => new StatusMarkerParser(token, { onData: push, onMarker: (marker) => stream.emit('marker', marker) })).stream;
}
