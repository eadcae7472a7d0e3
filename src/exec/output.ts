import { StringDecoder } from 'node:string_decoder';

/**
 * Collects one output stream as text: UTF-8 decoded across chunk boundaries, kept up to
 * `maxBytes` (then truncated and flagged, while the stream keeps being drained so the
 * process never blocks on a full pipe), and forwarded chunk by chunk to an optional hook.
 */
export class OutputCollector {
  private readonly decoder = new StringDecoder('utf8');
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  /** True once more than `maxBytes` arrived. */
  truncated = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onText?: (text: string) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.onText) {
      const text = this.decoder.write(chunk);
      if (text) this.onText(text);
    }
    const room = this.maxBytes - this.kept;
    if (room <= 0) {
      if (chunk.length > 0) this.truncated = true;
      return;
    }
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (part.length < chunk.length) this.truncated = true;
    this.chunks.push(Buffer.from(part));
    this.kept += part.length;
  }

  /** Flushes the hook's decoder; call once when the stream ended. */
  end(): void {
    if (!this.onText) return;
    const rest = this.decoder.end();
    if (rest) this.onText(rest);
  }

  /** The collected text (a multi-byte character cut by truncation becomes U+FFFD). */
  text(): string {
    return Buffer.concat(this.chunks, this.kept).toString('utf8');
  }
}
