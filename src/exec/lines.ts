import split2 from 'split2';
import type { Transform } from 'node:stream';
import type { RunCallbacks } from './events.js';

/**
 * Line and NDJSON callbacks of the runners, for agents that talk in lines
 * (`claude --output-format stream-json`, `codex exec --json`).
 *
 * @example
 * ```ts
 * const callbacks: LineCallbacks = { onJsonLine: (event) => ui.update(event), onJsonError: (error, line) => log.warn(line) };
 * ```
 */
export interface LineCallbacks {
  /** Each stdout line, `\n`-split (a trailing `\r` dropped), UTF-8 whole across chunks; a final unterminated line at the end. @default undefined */
  onStdoutLine?: (line: string) => void;
  /** The same for stderr (status markers already removed). @default undefined */
  onStderrLine?: (line: string) => void;
  /** Each non-blank stdout line parsed as JSON. @default undefined */
  onJsonLine?: (value: unknown, line: string) => void;
  /** A non-blank stdout line that is not JSON (with `onJsonLine`); never thrown. The line also stays in `stdout`. @default undefined */
  onJsonError?: (error: SyntaxError, line: string) => void;
}

/**
 * Splits a byte stream into lines for the callbacks. split2 (not our own splitter): it decodes
 * UTF-8 across chunk boundaries and keeps the last unterminated line for the end.
 */
export class LineSink {
  private readonly splitter: Transform;
  private readonly done: Promise<void>;

  constructor(onLine: (line: string) => void) {
    this.splitter = split2('\n', (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line));
    this.splitter.on('data', onLine);
    this.done = new Promise((resolve) => {
      this.splitter.once('end', resolve);
      this.splitter.once('error', () => resolve());
    });
  }

  write(chunk: Buffer): void {
    this.splitter.write(chunk);
  }

  /** Delivers the last line, if unterminated; resolves once every line was handed out. */
  end(): Promise<void> {
    this.splitter.end();
    return this.done;
  }

  /** A sink for stdout and one for stderr, or `undefined` where no callback wants lines. */
  static forRun(callbacks: LineCallbacks, guard: RunCallbacks): { stdout?: LineSink; stderr?: LineSink } {
    const wantsJson = callbacks.onJsonLine !== undefined;
    const stdout =
      callbacks.onStdoutLine || wantsJson
        ? new LineSink((line) => {
            guard.call(callbacks.onStdoutLine, line);
            if (wantsJson && line.trim() !== '') jsonLine(line, callbacks, guard);
          })
        : undefined;
    const stderr = callbacks.onStderrLine ? new LineSink((line) => guard.call(callbacks.onStderrLine, line)) : undefined;
    return { ...(stdout ? { stdout } : {}), ...(stderr ? { stderr } : {}) };
  }
}

function jsonLine(line: string, callbacks: LineCallbacks, guard: RunCallbacks): void {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    guard.call(callbacks.onJsonError, error as SyntaxError, line);
    return;
  }
  guard.call(callbacks.onJsonLine, value, line);
}
