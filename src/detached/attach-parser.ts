import { StringDecoder } from 'node:string_decoder';

/**
 * What the attach stream's final record said.
 *
 * @example
 * ```ts
 * const end: AttachEnd = { state: 'exited', exitCode: 0 };
 * ```
 */
export interface AttachEnd {
  state: 'exited' | 'lost';
  exitCode?: number;
}

/**
 * Reads the framed records of the remote attach loop (see `buildDetachedAttachScript`) and
 * delivers each byte of the run's stdout and stderr exactly once, counting bytes per stream as
 * they are delivered. A record that starts before the current offset (a replay after a
 * reconnect) has its already-delivered head skipped; one that starts after it would lose bytes
 * and is a protocol error. The offsets and decoders live across connections: `reset()` starts a
 * new connection's stream without touching them.
 *
 * @example
 * ```ts
 * const parser = new AttachStreamParser('sw9f', { stdout: 0, stderr: 0 }, { onStdout: (t) => out.push(t) });
 * child.stdout.on('data', (chunk) => parser.push(chunk));
 * ```
 */
export class AttachStreamParser {
  /** Absolute byte offsets delivered so far. */
  readonly offsets: { stdout: number; stderr: number };
  /** The final record, once it arrived. */
  end: AttachEnd | undefined;
  /** The frame line arrived on the current connection. */
  framed = false;
  private readonly frameLine: Buffer;
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  private pending: Buffer = Buffer.alloc(0);
  // Inside a data record: which stream, the absolute offset of the next byte, bytes left.
  private data: { stream: 'stdout' | 'stderr'; at: number; left: number } | undefined;

  constructor(
    token: string,
    from: { stdout: number; stderr: number },
    private readonly sink: { onStdout?: ((text: string) => void) | undefined; onStderr?: ((text: string) => void) | undefined },
  ) {
    this.frameLine = Buffer.from(`\n${token}:frame\n`);
    this.offsets = { ...from };
  }

  /** A new connection: its stream starts with login noise and the frame line again. */
  reset(): void {
    this.pending = Buffer.alloc(0);
    this.data = undefined;
    this.framed = false;
  }

  /** Feeds bytes of the current connection's stdout. @throws Error on a protocol violation. */
  push(chunk: Buffer): void {
    let buffer = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (buffer.length > 0 && this.end === undefined) {
      if (!this.framed) {
        const at = buffer.indexOf(this.frameLine);
        if (at < 0) {
          // Keep only what could still be the start of the frame line.
          this.pending = buffer.subarray(Math.max(0, buffer.length - this.frameLine.length + 1));
          return;
        }
        this.framed = true;
        buffer = buffer.subarray(at + this.frameLine.length);
        continue;
      }
      if (this.data) {
        const take = Math.min(this.data.left, buffer.length);
        this.deliver(buffer.subarray(0, take));
        buffer = buffer.subarray(take);
        continue;
      }
      const newline = buffer.indexOf(0x0a);
      if (newline < 0) {
        if (buffer.length > 200) throw new Error('attach: record header too long');
        this.pending = Buffer.from(buffer);
        return;
      }
      this.header(buffer.subarray(0, newline).toString('latin1'));
      buffer = buffer.subarray(newline + 1);
    }
  }

  /** Flushes the decoders (at the very end): an incomplete UTF-8 tail becomes U+FFFD. */
  finish(): { stdout: string; stderr: string } {
    return { stdout: this.decoders.stdout.end(), stderr: this.decoders.stderr.end() };
  }

  private header(line: string): void {
    if (line === 'H') return;
    const record = /^([OE]) (\d+) (\d+)$/.exec(line);
    if (record) {
      const stream = record[1] === 'O' ? 'stdout' : 'stderr';
      const at = Number(record[2]);
      if (at > this.offsets[stream]) throw new Error(`attach: ${stream} record at ${at} after offset ${this.offsets[stream]}: bytes would be lost`);
      this.data = { stream, at, left: Number(record[3]) };
      if (this.data.left === 0) this.data = undefined;
      return;
    }
    const end = /^X (exited|lost) (\S+) (\S+)$/.exec(line);
    if (end) {
      this.end = end[1] === 'exited' && /^\d+$/.test(end[2]!) ? { state: 'exited', exitCode: Number(end[2]) } : { state: end[1] as 'exited' | 'lost' };
      return;
    }
    throw new Error(`attach: unexpected record ${JSON.stringify(line.slice(0, 80))}`);
  }

  private deliver(bytes: Buffer): void {
    const data = this.data!;
    const { stream } = data;
    // Bytes before the offset were delivered on an earlier connection.
    const skip = Math.max(0, Math.min(bytes.length, this.offsets[stream] - data.at));
    const fresh = bytes.subarray(skip);
    data.at += bytes.length;
    data.left -= bytes.length;
    if (data.left === 0) this.data = undefined;
    if (fresh.length === 0) return;
    this.offsets[stream] += fresh.length;
    const text = this.decoders[stream].write(fresh);
    if (text === '') return;
    if (stream === 'stdout') this.sink.onStdout?.(text);
    else this.sink.onStderr?.(text);
  }
}
