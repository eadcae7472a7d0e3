import type { RemoteScriptEvent, SshSpawnWrapResult } from '../wrap/index.js';
import { nodeExecutor, type ChildProcessLike } from '../process/executor.js';
import { Terminator, remoteStopTarget, whenExited, type StopReason } from './terminate/index.js';
import { BoundedBytes, StderrFrame, StdoutFrame } from './output-frame.js';
import type { RemoteStatus } from './outcome.js';
import { OutputCollector } from './output.js';
import type { SshRunResult } from './result.js';
import type { RunWithSshOptions } from './options.js';
import { RunProgress, type RunCallbacks } from './events.js';
import { LineSink } from './lines.js';
import { feedStdin, type SpawnPlan } from './start.js';
import { IdleClock } from './idle.js';
import { pipeInput } from './input.js';

const DEFAULT_MAX_BUFFER = 100_000_000;
// ssh's stdout/stderr can outlive it when a ControlPersist master or a ProxyCommand inherited
// them, so after ssh exits the run waits for their end only while they keep delivering: up to
// STREAM_GRACE_MS of silence, and STREAM_GRACE_CAP_MS in all. A fixed 1 s after the exit lost the
// exit marker of 1-3 runs in 64 on a loaded 2-core machine, where the last chunks of a pipe whose
// writer is already gone can take longer than that to be read.
const STREAM_GRACE_MS = 1_000;
const STREAM_GRACE_CAP_MS = 10_000;
const SSH_STDERR_LIMIT = 64 * 1024;

function streamDone(stream: NodeJS.ReadableStream | null): Promise<void> {
  if (!stream) return Promise.resolve();
  const readable = stream as NodeJS.ReadableStream & { readableEnded?: boolean; destroyed?: boolean };
  if (readable.readableEnded || readable.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('end', () => resolve());
    stream.once('close', () => resolve());
    stream.once('error', () => resolve());
  });
}

/** A grace period that never keeps the process alive on its own. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Resolves once nothing arrived for `quietMs` (counted from now at the earliest: the last data
 * may still be in the pipe), or `capMs` from now; never keeps the process alive.
 */
async function quietFor(quietMs: number, capMs: number, lastDataAt: () => number): Promise<void> {
  const start = Date.now();
  const deadline = start + capMs;
  // Bounded: every turn waits at least 1 ms and the deadline is fixed.
  for (let now = start; now < deadline; now = Date.now()) {
    const quietUntil = Math.max(lastDataAt(), start) + quietMs;
    if (quietUntil <= now) return;
    await sleep(Math.max(1, Math.min(quietUntil, deadline) - now));
  }
}

/**
 * Watches a started process to its end: feeds stdin, collects output (stripping and recording
 * status markers for remote runs), enforces `timeoutMs` and the abort signal (stopping the local
 * process and, when known, the remote process group), and waits until the process exited.
 */
/** What {@link supervise} reports through the caller's callbacks. */
export interface SuperviseContext {
  callbacks: RunCallbacks;
  /** The run goes through an already-running ControlMaster. */
  reused: boolean;
  /** The command as the `spawn` event shows it (secret values redacted). */
  spawn: { command: string; args: string[] };
  /** Each status marker the remote script reported (the runner frees its handshake slot at `pid`). */
  onMarker?: (event: RemoteScriptEvent) => void;
}

export async function supervise(
  child: ChildProcessLike,
  plan: SpawnPlan,
  wrapped: SshSpawnWrapResult,
  token: string,
  options: RunWithSshOptions,
  context: SuperviseContext,
): Promise<{ result: SshRunResult; status: RemoteStatus }> {
  const started = Date.now();
  const { callbacks } = context;
  const lines = LineSink.forRun(options, callbacks);
  const progress = new RunProgress(callbacks, { remote: wrapped.sshRemoteUsed !== null, ...context.spawn }, context.reused);
  // idleTimeoutMs: runs from the command's start; only its own output (onOutput) restarts it.
  const idle = new IdleClock(options.idleTimeoutMs);
  // The Terminator records 'idle' only for a run still going and not already being stopped.
  const onIdle = (): void => stop('idle');
  const onOutput = (stream: 'stdout' | 'stderr', chunk: Buffer): void => {
    if (chunk.length > 0) progress.output(stream);
    if (chunk.length > 0) idle.touch();
    lines[stream]?.write(chunk);
  };
  const maxBuffer = options.maxBuffer ?? DEFAULT_MAX_BUFFER;
  const remote = wrapped.sshRemoteUsed;
  const markers = new Set<RemoteScriptEvent>();
  let remotePid: number | undefined;
  let remoteExitCode: number | undefined;
  // stderr before the `started` marker, for the error classification: ssh's own messages are short.
  const preStart = new BoundedBytes(SSH_STDERR_LIMIT);
  const stdout = new OutputCollector(maxBuffer, (text) => callbacks.call(options.onStdout, text));
  const stderr = new OutputCollector(maxBuffer, (text) => callbacks.call(options.onStderr, text));
  const exited = whenExited(child);

  const parser = remote
    ? new StderrFrame(token, {
        onData: (bytes) => {
          if (!markers.has('started')) preStart.add(bytes);
          else onOutput('stderr', bytes);
          stderr.push(bytes);
        },
        onMarker: (marker) => {
          progress.marker(marker);
          markers.add(marker.event);
          context.onMarker?.(marker.event);
          if (marker.event === 'started') {
            idle.start(onIdle);
            releaseHeld();
            startInput();
          }
          // Only the script's own first report counts: the command could print a fake one later
          // (the token is visible in the remote argv), and pid 1 or less would mean "every process".
          if (marker.event === 'pid' && remotePid === undefined && !markers.has('started') && (marker.value ?? 0) > 1) remotePid = marker.value;
          if (marker.event === 'exit') remoteExitCode = marker.value;
        },
      })
    : undefined;
  // Remote runs are framed: what the login shell printed before the command is kept apart.
  // The command's stdout comes after its `started` marker, but on another pipe than that marker:
  // it is held back until the marker has been read, so callbacks see `started` first.
  let held: Buffer[] | undefined = remote ? [] : undefined;
  const toStdout = (chunk: Buffer): void => {
    if (held) return void held.push(chunk);
    onOutput('stdout', chunk);
    stdout.push(chunk);
  };
  const releaseHeld = (): void => {
    const chunks = held;
    held = undefined;
    for (const chunk of chunks ?? []) toStdout(chunk);
  };
  const stdoutFrame = remote ? new StdoutFrame(token, toStdout) : undefined;
  let lastDataAt = Date.now();
  child.stdout?.on('data', (chunk: Buffer) => {
    lastDataAt = Date.now();
    if (stdoutFrame) stdoutFrame.write(chunk);
    else toStdout(chunk);
  });
  child.stderr?.on(
    'data',
    (chunk: Buffer): void => {
      lastDataAt = Date.now();
      if (parser) return parser.write(chunk);
      onOutput('stderr', chunk);
      stderr.push(chunk);
    },
  );
  child.on('error', () => {}); // kill() failures after spawn are not run failures
  const outputDone = Promise.all([streamDone(child.stdout), streamDone(child.stderr)]);
  const stdinWritten = feedStdin(child, plan);
  // `input` goes after what the wrap sends (env lines, a prompt), and only once the command runs:
  // a try that fails before that leaves the caller's stream untouched for the retry.
  let detachInput = (): void => {};
  const startInput = (): void => {
    const input = options.input;
    if (input === undefined) return;
    void stdinWritten.then((error) => {
      if (!error) detachInput = pipeInput(child.stdin, input);
    });
  };

  // Every reason to stop goes through the one Terminator: local TERM → killGraceMs → KILL, and
  // the remote group over a second connection (the lifeline covers the owner's own death).
  const terminator = new Terminator(child, {
    killGraceMs: options.killGraceMs,
    remote: remoteStopTarget(remote, {
      ...options,
      executor: options.executor ?? nodeExecutor,
      sshPath: wrapped.command,
      cwd: wrapped.cwd,
      env: plan.env,
      pid: () => remotePid,
      exited: () => markers.has('exit'),
    }),
  });
  const stop = (reason: StopReason): void => void terminator.stop(reason);
  const timer = options.timeoutMs !== undefined ? setTimeout(() => stop('timeout'), options.timeoutMs) : undefined;
  const onAbort = (): void => stop('abort');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  // A callback that threw ends the run like an abort would; the runner rethrows its error.
  callbacks.onFail = () => stop('callback-error');
  if (!remote) {
    idle.start(onIdle);
    startInput();
  }

  try {
    await exited;
    await Promise.race([outputDone, quietFor(STREAM_GRACE_MS, STREAM_GRACE_CAP_MS, () => lastDataAt)]);
    await terminator.stopping;
  } finally {
    if (timer) clearTimeout(timer);
    idle.stop();
    detachInput();
    options.signal?.removeEventListener('abort', onAbort);
    child.stdout?.destroy();
    child.stderr?.destroy();
    child.stdin?.destroy();
  }
  stdoutFrame?.end();
  parser?.end();
  // No `started` marker ever came (a lost connection, a broken script): the output still counts.
  releaseHeld();
  stdout.end();
  stderr.end();
  await Promise.all([lines.stdout?.end(), lines.stderr?.end()]);

  const result: SshRunResult = {
    exitCode: child.exitCode,
    signal: child.signalCode,
    stdout: stdout.text(),
    stderr: stderr.text(),
    wrapped,
    remoteStarted: remote ? markers.has('started') : true,
    timedOut: terminator.reason === 'timeout',
    aborted: terminator.reason === 'abort',
    idleTimedOut: terminator.reason === 'idle',
    attempts: 1,
    ...(terminator.reason !== undefined ? { stopReason: terminator.reason } : {}),
    connectionLost: false,
    loginOutput: { stdout: stdoutFrame?.loginText() ?? '', stderr: parser?.loginText() ?? '' },
    stdoutTruncated: stdout.truncated,
    stderrTruncated: stderr.truncated,
    durationMs: Date.now() - started,
  };
  const status: RemoteStatus = { markers, preStartStderr: preStart.text() };
  if (remotePid !== undefined) status.remotePid = remotePid;
  if (remoteExitCode !== undefined) status.remoteExitCode = remoteExitCode;
  return { result, status };
}
