import { randomBytes } from 'node:crypto';
import { SshWrapError } from '../errors/index.js';
import { spawnWithSsh } from '../exec/index.js';
import { signalFromShellStatus } from '../exec/result.js';
import type { SshRemoteStoreAdapter } from '../resolve/index.js';
import { assertKnownOptions, assertNonNegative } from '../schemas/index.js';
import { assertRunId, buildDetachedAttachScript, runDirWord } from '../wrap/detached-script.js';
import { AttachStreamParser } from './attach-parser.js';
import { DetachedRunError } from './error.js';
import { agentSshFor } from './remote.js';
import { ATTACH_DETACHED_OPTION_KEYS, type AttachDetachedOptions, type DetachedAttachResult, type DetachedRunRef } from './types.js';

const DEFAULT_RECONNECT = { attempts: 5, maxDelayMs: 10_000 };
const DEFAULT_MAX_BUFFER = 100_000_000;
// The remote loop sends a heartbeat about 5 times a second while idle: this long without a
// byte means the connection hangs (a network that went away without closing it).
const STALL_MS = 20_000;
// First reconnect delay; doubled per consecutive failure up to maxDelayMs, then jittered.
const BASE_DELAY_MS = 250;

function checkOffset(value: number | undefined, field: string): number {
  if (value === undefined) return 0;
  if (!Number.isSafeInteger(value) || value < 0) throw new SshWrapError('INVALID_CONFIG', `${field} must be a non-negative integer`, { field });
  return value;
}

function checkReconnect(reconnect: AttachDetachedOptions['reconnect']): { attempts: number; maxDelayMs: number } {
  if (reconnect === undefined) return DEFAULT_RECONNECT;
  const { attempts, maxDelayMs } = reconnect;
  if (!Number.isInteger(attempts) || attempts < 0 || attempts > 1000 || !Number.isFinite(maxDelayMs) || maxDelayMs < 0) {
    throw new SshWrapError('INVALID_CONFIG', 'reconnect must be { attempts: integer 0..1000, maxDelayMs: non-negative number }', { field: 'reconnect' });
  }
  return { attempts, maxDelayMs };
}

/** Full jitter over an exponential delay: spreads the reconnects of many attaches after a drop. */
function reconnectDelay(failures: number, maxDelayMs: number): number {
  const ceiling = Math.min(maxDelayMs, BASE_DELAY_MS * 2 ** Math.min(failures - 1, 20));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Appends to a bounded text buffer. */
class Kept {
  text = '';
  constructor(private readonly max: number) {}
  add(chunk: string): void {
    if (this.text.length < this.max) this.text += chunk.slice(0, this.max - this.text.length);
  }
}

/**
 * Streams a detached run's stdout and stderr from the given byte offsets (default: everything
 * from the start) and resolves when the run ends, with its exit status. Several attaches to the
 * same run at once are fine; attaching never changes the run.
 *
 * When the connection drops (or hangs for 20 s) it reconnects by itself, up to
 * `reconnect.attempts` consecutive failures with jittered exponential delays, and continues
 * from the last byte it delivered: no byte lost, none duplicated. Aborting `signal` (or
 * `timeoutMs` expiring) detaches: it resolves `state: 'running'` with the offsets reached, and
 * the run goes on.
 *
 * @throws {SshWrapError} bad input.
 * @throws {DetachedRunError} `not-found`, or `connection` after the reconnect attempts ran out
 *   (with `stdoutOffset`/`stderrOffset` reached, to resume later).
 * @example
 * ```ts
 * const controller = new AbortController();
 * const result = await attachDetached({ runId, remoteId: 'gpu-1' }, store, {
 *   onStdout: (text) => process.stdout.write(text),
 *   onStderr: (text) => process.stderr.write(text),
 *   signal: controller.signal,
 * });
 * if (result.state === 'exited') console.log('exit', result.exitCode);
 * else console.log('detached at', result.stdoutOffset, result.stderrOffset);
 * ```
 */
export async function attachDetached(ref: DetachedRunRef, store: SshRemoteStoreAdapter, options: AttachDetachedOptions = {}): Promise<DetachedAttachResult> {
  assertKnownOptions(options, ATTACH_DETACHED_OPTION_KEYS, 'attachDetached options');
  assertRunId(ref.runId);
  const agentSsh = agentSshFor(ref.remoteId);
  runDirWord(options.runDir);
  const from = { stdout: checkOffset(options.fromOffset?.stdout, 'fromOffset.stdout'), stderr: checkOffset(options.fromOffset?.stderr, 'fromOffset.stderr') };
  const reconnect = checkReconnect(options.reconnect);
  const maxBuffer = options.maxBuffer ?? DEFAULT_MAX_BUFFER;
  assertNonNegative(options.timeoutMs, 'timeoutMs');
  const { fromOffset: _f, onStdout, onStderr, signal: callerSignal, timeoutMs, reconnect: _r, maxBuffer: _m, runDir, ...connection } = options;

  const detach = new AbortController();
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => detach.abort(), timeoutMs);
  const onCallerAbort = (): void => detach.abort();
  if (callerSignal?.aborted) detach.abort();
  const onCallbackError = (): void => detach.abort();
  callerSignal?.addEventListener('abort', onCallerAbort, { once: true });

  const token = `sw${randomBytes(8).toString('hex')}`;
  const stdout = new Kept(maxBuffer);
  const stderr = new Kept(maxBuffer);
  // A callback that throws ends the attach with its error (not a reconnect: the bytes it was
  // given count as delivered).
  const failed: { error?: unknown } = {};
  const detachForError = new AbortController();
  const guarded = (callback: ((text: string) => void) | undefined, text: string): void => {
    if (!callback || 'error' in failed) return;
    try {
      callback(text);
    } catch (error) {
      failed.error = error;
      detachForError.abort();
    }
  };
  const sink = {
    onStdout: (text: string): void => {
      stdout.add(text);
      guarded(onStdout, text);
    },
    onStderr: (text: string): void => {
      stderr.add(text);
      guarded(onStderr, text);
    },
  };
  const parser = new AttachStreamParser(token, from, sink);
  const result = (state: DetachedAttachResult['state'], exitCode?: number): DetachedAttachResult => {
    // Only at the end of the run: while it runs, an incomplete UTF-8 sequence is still to come.
    if (state !== 'running') {
      const tail = parser.finish();
      if (tail.stdout) sink.onStdout(tail.stdout);
      if (tail.stderr) sink.onStderr(tail.stderr);
    }
    const signal = signalFromShellStatus(exitCode);
    return {
      state,
      ...(exitCode !== undefined ? { exitCode } : {}),
      ...(signal ? { remoteSignal: signal } : {}),
      stdout: stdout.text,
      stderr: stderr.text,
      stdoutOffset: parser.offsets.stdout,
      stderrOffset: parser.offsets.stderr,
    };
  };

  detachForError.signal.addEventListener('abort', onCallbackError, { once: true });
  const rethrow = (): void => {
    if ('error' in failed) throw failed.error;
  };
  try {
    let failures = 0;
    let lastError = '';
    // Bounded: every pass either ends the attach or counts a failure; a pass that got through
    // to the frame line resets the count, and each such pass delivered the run's progress.
    for (;;) {
      rethrow();
      if (detach.signal.aborted) return result('running');
      const script = buildDetachedAttachScript({ runId: ref.runId, runDir, token, stdoutOffset: parser.offsets.stdout, stderrOffset: parser.offsets.stderr });
      const pass = await attachOnce(script, agentSsh, store, connection, parser, detach.signal);
      rethrow();
      if (parser.end) return result(parser.end.state, parser.end.exitCode);
      if (pass.notFound) throw new DetachedRunError('not-found', `attachDetached: no run ${ref.runId} on ${ref.remoteId}`);
      if (detach.signal.aborted) return result('running');
      failures = pass.framed ? 1 : failures + 1;
      lastError = pass.error;
      if (failures > reconnect.attempts) {
        throw new DetachedRunError('connection', `attachDetached: gave up after ${reconnect.attempts} reconnect attempts: ${lastError}`, {
          stdoutOffset: parser.offsets.stdout,
          stderrOffset: parser.offsets.stderr,
        });
      }
      await sleep(reconnectDelay(failures, reconnect.maxDelayMs), detach.signal);
    }
  } finally {
    if (timer) clearTimeout(timer);
    callerSignal?.removeEventListener('abort', onCallerAbort);
  }
}

/** One connection of an attach: runs the remote loop until it ends, fails, stalls or is detached. */
async function attachOnce(
  script: string,
  agentSsh: { enabled: true; remoteId: string },
  store: SshRemoteStoreAdapter,
  connection: Omit<AttachDetachedOptions, 'fromOffset' | 'onStdout' | 'onStderr' | 'signal' | 'reconnect' | 'maxBuffer' | 'runDir'>,
  parser: AttachStreamParser,
  detach: AbortSignal,
): Promise<{ framed: boolean; notFound: boolean; error: string }> {
  parser.reset();
  let spawned;
  try {
    spawned = await spawnWithSsh({ command: '/bin/sh', args: ['-c', script, 'sshwrap'], cwd: '~' }, agentSsh, store, connection);
  } catch (error) {
    if (error instanceof SshWrapError && error.code !== 'SPAWN_FAILED') throw error;
    return { framed: false, notFound: false, error: error instanceof Error ? error.message : String(error) };
  }
  const { child } = spawned;
  let stderrText = '';
  let protocolError: string | undefined;
  let stall: NodeJS.Timeout | undefined;
  const stop = (): void => void child.kill('SIGTERM');
  const armStall = (): void => {
    if (stall) clearTimeout(stall);
    stall = setTimeout(stop, STALL_MS);
  };
  armStall();
  detach.addEventListener('abort', stop, { once: true });
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderrText.length < 4000) stderrText += chunk.toString('utf8');
  });
  // Errors end the connection ('close' follows); the next pass resumes from the offsets.
  child.stdout?.on('error', () => undefined);
  child.stderr?.on('error', () => undefined);
  child.stdout?.on('data', (chunk: Buffer) => {
    armStall();
    if (protocolError || parser.end) return;
    try {
      parser.push(chunk);
    } catch (error) {
      // A garbled stream: drop this connection; the next one resumes from the offsets reached.
      protocolError = error instanceof Error ? error.message : String(error);
      stop();
    }
  });
  const code = await new Promise<number | null>((resolve) => {
    child.once('close', (exitCode: number | null) => resolve(exitCode));
    child.once('error', () => resolve(null));
  });
  if (stall) clearTimeout(stall);
  detach.removeEventListener('abort', stop);
  const framed = parser.framed;
  return {
    framed,
    notFound: !framed && code === 3,
    error: protocolError ?? (stderrText.trim().split('\n').pop() || `ssh exited ${code}`),
  };
}
