import type { Transform } from 'node:stream';
import { transformOver } from './byte-transform.js';
import { SshWrapError } from '../errors/index.js';
import { stdoutFrameLine, type SshSpawnWrapResult } from '../wrap/index.js';
import { StatusMarkerParser, type StatusMarker } from './markers.js';

/**
 * What the remote login shell and its startup files printed before the command started
 * (~/.bashrc, ~/.zshenv, config.fish, ~/.tcshrc, motd-like scripts), kept apart from the
 * command's output for diagnostics.
 *
 * @example
 * ```ts
 * const { loginOutput } = await runWithSsh(config, agentSsh, store);
 * if (loginOutput.stdout) log.debug('remote rc files print:', loginOutput.stdout);
 * ```
 */
export interface LoginOutput {
  /** Text written to stdout before the command started (UTF-8, at most 64 KiB kept). */
  stdout: string;
  /** Text written to stderr before the remote script's first status line (at most 64 KiB kept). */
  stderr: string;
}

// Login noise is a banner or two; past this it is kept no further (the stream still drains).
const LOGIN_LIMIT = 64 * 1024;

/** Keeps the first `limit` bytes of a stream as text; the rest is counted out, never buffered. */
export class BoundedBytes {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  constructor(private readonly limit = LOGIN_LIMIT) {}
  add(chunk: Buffer): void {
    if (this.bytes >= this.limit || chunk.length === 0) return;
    const part = chunk.subarray(0, this.limit - this.bytes);
    this.chunks.push(Buffer.from(part));
    this.bytes += part.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * stdout of a framed run: everything before the script's frame line is login output, everything
 * after it is the command's, passed on byte for byte however the stream is chunked. Without a
 * frame line (the script never ran) every byte is login output.
 */
export class StdoutFrame {
  private readonly frame: Buffer;
  private readonly login = new BoundedBytes();
  private tail: Buffer = Buffer.alloc(0);
  private found = false;

  constructor(
    token: string,
    private readonly onData: (chunk: Buffer) => void,
  ) {
    this.frame = Buffer.from(stdoutFrameLine(token), 'latin1');
  }

  write(chunk: Buffer): void {
    if (this.found) {
      if (chunk.length > 0) this.onData(chunk);
      return;
    }
    const data = this.tail.length > 0 ? Buffer.concat([this.tail, chunk]) : chunk;
    const at = data.indexOf(this.frame);
    if (at >= 0) {
      this.login.add(data.subarray(0, at));
      this.found = true;
      this.tail = Buffer.alloc(0);
      const rest = data.subarray(at + this.frame.length);
      if (rest.length > 0) this.onData(rest);
      return;
    }
    // Only the last frame.length - 1 bytes can still be the start of the frame line.
    const safe = Math.max(0, data.length - (this.frame.length - 1));
    this.login.add(data.subarray(0, safe));
    this.tail = Buffer.from(data.subarray(safe));
  }

  end(): void {
    if (!this.found) this.login.add(this.tail);
    this.tail = Buffer.alloc(0);
  }

  /** The frame line arrived: the command's output follows. */
  get framed(): boolean {
    return this.found;
  }

  loginText(): string {
    return this.login.text();
  }
}

/**
 * stderr of a framed run: status lines removed and reported; what came before the first one is
 * login output. When no status line ever arrives, ssh itself failed before the script ran, and
 * those bytes are ssh's own diagnostics: they are delivered as stderr (and classified), not hidden.
 */
export class StderrFrame {
  private readonly parser: StatusMarkerParser;
  private readonly held: Buffer[] = [];
  private heldBytes = 0;
  private login = '';
  private found = false;

  constructor(token: string, handlers: { onData(chunk: Buffer): void; onMarker?(marker: StatusMarker): void }) {
    this.parser = new StatusMarkerParser(token, {
      onData: (bytes) => {
        if (this.found) return handlers.onData(bytes);
        // Bounded like ssh's own messages: what is held past the limit is dropped from the frame.
        if (this.heldBytes < LOGIN_LIMIT) {
          this.held.push(Buffer.from(bytes.subarray(0, LOGIN_LIMIT - this.heldBytes)));
          this.heldBytes += Math.min(bytes.length, LOGIN_LIMIT - this.heldBytes);
        }
      },
      onMarker: (marker) => {
        if (!this.found) {
          this.found = true;
          this.login = Buffer.concat(this.held).toString('utf8');
          this.held.length = 0;
        }
        handlers.onMarker?.(marker);
      },
    });
    this.flushHeld = () => {
      if (!this.found && this.held.length > 0) handlers.onData(Buffer.concat(this.held));
      this.held.length = 0;
    };
  }

  private readonly flushHeld: () => void;

  write(chunk: Buffer): void {
    this.parser.write(chunk);
  }

  end(): void {
    this.parser.end();
    this.flushHeld();
  }

  loginText(): string {
    return this.login;
  }
}

/**
 * The output of a spawn you start yourself, framed (`wrapSpawnWithSsh(…, { frameOutput: true })`):
 * pipe ssh's stdout and stderr through `stdout` and `stderr` to get exactly what the remote
 * command wrote: no login noise, no status lines (`stderr` emits each as a `'marker'` event).
 * `loginOutput()` returns what the login shell printed, once the streams have ended.
 *
 * @throws {SshWrapError} `INVALID_CONFIG` when `wrapped` is not framed (`frameOutput` was off or SSH was off).
 * @example
 * ```ts
 * const wrapped = await wrapSpawnWithSsh(config, agentSsh, store, { frameOutput: true });
 * const child = spawn(wrapped.command, wrapped.args, { cwd: wrapped.cwd });
 * child.stdin.end(wrapped.stdin ?? '');
 * const output = createOutputDeframer(wrapped);
 * child.stdout.pipe(output.stdout).pipe(process.stdout);
 * child.stderr.pipe(output.stderr).pipe(process.stderr);
 * child.on('close', () => console.debug('login noise:', output.loginOutput()));
 * ```
 */
export function createOutputDeframer(wrapped: SshSpawnWrapResult): { stdout: Transform; stderr: Transform; loginOutput(): LoginOutput } {
  const token = wrapped.statusMarker;
  if (!wrapped.frameOutput || token === undefined) {
    throw new SshWrapError('INVALID_CONFIG', 'createOutputDeframer needs a framed wrap result', {
      field: 'frameOutput',
      hint: 'Wrap with { frameOutput: true } (and SSH on for the agent); a local run has no login output to remove.',
    });
  }
  const stdout = transformOver((push) => new StdoutFrame(token, push));
  let stderrFrame: StderrFrame | undefined;
  const stderr = transformOver((push, stream) => (stderrFrame = new StderrFrame(token, { onData: push, onMarker: (marker) => stream.emit('marker', marker) })));
  return {
    stdout: stdout.stream,
    stderr: stderr.stream,
    loginOutput: () => ({ stdout: stdout.frame.loginText(), stderr: stderrFrame!.loginText() }),
  };
}
