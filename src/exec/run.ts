import { stat } from 'node:fs/promises';
import { classifySshFailure, SSH_FAILURE_HINTS, type SshFailure, type SshFailureKind } from '../classify/index.js';
import { SshWrapError } from '../errors/index.js';
import type { SshRemoteStoreAdapter } from '../resolve/index.js';
import { parseSshSpawnWrapConfig, type AgentSshRemoteConfig, type SshSpawnWrapConfig } from '../schemas/index.js';
import { wrapSpawnWithSsh, type RemoteScriptEvent, type SshSpawnWrapResult } from '../wrap/index.js';
import { nodeExecutor, type ChildProcessLike } from './executor.js';
import { killRemoteProcessGroup, terminateChild, whenExited } from './kill.js';
import { randomMarkerToken, StatusMarkerParser } from './markers.js';
import { OutputCollector } from './output.js';
import { isEncryptedPrivateKey } from './private-key.js';
import { signalFromShellStatus, type SshRunResult } from './result.js';
import { feedStdin, planSpawn, startPlan, type SpawnPlan, type SpawnWithSshOptions } from './spawn.js';

const DEFAULT_MAX_BUFFER = 100_000_000;
const DEFAULT_KILL_GRACE_MS = 2_000;
// ssh's stdout/stderr can outlive it when a ControlPersist master inherited them.
const STREAM_GRACE_MS = 1_000;
const SSH_STDERR_LIMIT = 64 * 1024;
const REMOTE_KILL_TIMEOUT_MS = 8_000;

/**
 * Options for {@link runWithSsh}: the wrap options (except `statusMarker`, which is always a
 * fresh random token, and `keepStdin`, since nobody could write to it), plus run limits.
 *
 * @example
 * ```ts
 * const options: RunWithSshOptions = { timeoutMs: 60_000, maxBuffer: 1_000_000, onStderr: (t) => log.warn(t) };
 * ```
 */
export interface RunWithSshOptions extends Omit<SpawnWithSshOptions, 'statusMarker' | 'keepStdin'> {
  /** Kill the run after this many milliseconds (`timedOut: true`). @default undefined (no limit) */
  timeoutMs?: number;
  /** Abort the run (`aborted: true`); the local ssh and the remote command are stopped. @default undefined */
  signal?: AbortSignal;
  /** Bytes kept per stream; beyond that the text is truncated and flagged, the stream still drained. @default 100_000_000 */
  maxBuffer?: number;
  /** Called with each decoded chunk of stdout, unlimited by `maxBuffer`. @default undefined */
  onStdout?: (text: string) => void;
  /** Called with each decoded chunk of stderr, status markers already removed. @default undefined */
  onStderr?: (text: string) => void;
  /** Time between SIGTERM and SIGKILL for the local process on timeout or abort. @default 2000 */
  killGraceMs?: number;
  /**
   * On timeout or abort, also stop the remote command (TERM, then KILL, to its process group
   * over a second ssh connection): killing the local ssh alone leaves it running remotely.
   * @default true
   */
  killRemote?: boolean;
}

function checkLimit(value: number | undefined, name: string): void {
  if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
    throw new SshWrapError('INVALID_CONFIG', `${name} must be a non-negative number`, { field: name });
  }
}

interface RunState {
  markers: Set<RemoteScriptEvent>;
  remotePid?: number;
  remoteExitCode?: number;
  /** stderr before the `started` marker: ssh's own messages and the remote script's. */
  preStartStderr: Buffer[];
  preStartBytes: number;
}

function emptyResult(wrapped: SshSpawnWrapResult, extra: Partial<SshRunResult>): SshRunResult {
  return {
    exitCode: null,
    signal: null,
    stdout: '',
    stderr: '',
    wrapped,
    remoteStarted: false,
    timedOut: false,
    aborted: false,
    connectionLost: false,
    stdoutTruncated: false,
    stderrTruncated: false,
    durationMs: 0,
    ...extra,
  };
}

async function localSpawnFailure(plan: SpawnPlan, error: SshWrapError): Promise<SshFailure> {
  const code = (error.cause as NodeJS.ErrnoException | undefined)?.code;
  if (!plan.local) return { kind: 'spawn-failed', message: error.message, hint: SSH_FAILURE_HINTS['spawn-failed'] };
  if (code === 'ENOENT') {
    // Node reports a missing cwd as ENOENT of the command itself.
    const cwdExists = await stat(plan.cwd).then((s) => s.isDirectory(), () => false);
    const kind: SshFailureKind = cwdExists ? 'agent-not-found' : 'cwd-missing';
    const message = cwdExists ? `Command not found: ${plan.command}` : `Working directory not found: ${plan.cwd}`;
    return { kind, message, hint: SSH_FAILURE_HINTS[kind] };
  }
  return { kind: 'spawn-failed', message: error.message, hint: error.hint ?? SSH_FAILURE_HINTS['spawn-failed'] };
}

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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs a spawn through {@link spawnWithSsh} to completion and reports how it ended. Output is
 * collected (and streamed to `onStdout`/`onStderr`); the remote script's status markers tell
 * apart "ssh failed", "the command could not start" and "the command exited with N", so exit
 * status 255 is never ambiguous.
 *
 * Never throws for runtime failures: a refused connection, a missing binary, a timeout or an
 * abort are all in the result. Only bad input throws (`SshWrapError`, before anything is
 * spawned). Every exit path waits for the local process to be gone.
 *
 * @example
 * ```ts
 * const result = await runWithSsh(
 *   { command: 'claude', args: ['--print'], cwd: '~/app', prompt: 'List the TODOs' },
 *   { enabled: true, remoteId: 'gpu-1' },
 *   createSshRemoteStoreAdapter(settingsStore),
 *   { timeoutMs: 120_000, onStdout: (text) => process.stdout.write(text) },
 * );
 * if (result.errorKind) console.error(`${result.errorMessage}\n${result.hint}`);
 * else console.log('exit', result.remoteExitCode);
 * ```
 */
export async function runWithSsh(
  config: SshSpawnWrapConfig,
  agentSsh: AgentSshRemoteConfig | null | undefined,
  store: SshRemoteStoreAdapter,
  options: RunWithSshOptions = {},
): Promise<SshRunResult> {
  checkLimit(options.timeoutMs, 'timeoutMs');
  checkLimit(options.maxBuffer, 'maxBuffer');
  checkLimit(options.killGraceMs, 'killGraceMs');
  const token = randomMarkerToken();
  const parsed = parseSshSpawnWrapConfig(config);
  const wrapOptions: SpawnWithSshOptions = { ...options, statusMarker: token, keepStdin: false, signal: undefined };
  const wrapped = await wrapSpawnWithSsh(config, agentSsh, store, wrapOptions);
  const plan = planSpawn(wrapped, parsed, wrapOptions);
  const executor = options.executor ?? nodeExecutor;
  const signal = options.signal;
  if (signal?.aborted) return emptyResult(wrapped, { aborted: true });

  const started = Date.now();
  let child: ChildProcessLike;
  try {
    child = await startPlan(plan, executor, undefined);
  } catch (error) {
    if (!(error instanceof SshWrapError)) throw error;
    const failure = await localSpawnFailure(plan, error);
    return emptyResult(wrapped, { errorKind: failure.kind, errorMessage: failure.message, hint: failure.hint, durationMs: Date.now() - started });
  }
  return supervise(child, plan, wrapped, token, options, started);
}

async function supervise(
  child: ChildProcessLike,
  plan: SpawnPlan,
  wrapped: SshSpawnWrapResult,
  token: string,
  options: RunWithSshOptions,
  started: number,
): Promise<SshRunResult> {
  const maxBuffer = options.maxBuffer ?? DEFAULT_MAX_BUFFER;
  const remote = wrapped.sshRemoteUsed;
  const state: RunState = { markers: new Set(), preStartStderr: [], preStartBytes: 0 };
  const stdout = new OutputCollector(maxBuffer, options.onStdout);
  const stderr = new OutputCollector(maxBuffer, options.onStderr);
  const exited = whenExited(child);

  const keepPreStart = (bytes: Buffer): void => {
    if (state.markers.has('started') || state.preStartBytes >= SSH_STDERR_LIMIT) return;
    const part = bytes.subarray(0, SSH_STDERR_LIMIT - state.preStartBytes);
    state.preStartStderr.push(Buffer.from(part));
    state.preStartBytes += part.length;
  };
  const parser = remote
    ? new StatusMarkerParser(token, {
        onData: (bytes) => {
          keepPreStart(bytes);
          stderr.push(bytes);
        },
        onMarker: (marker) => {
          state.markers.add(marker.event);
          if (marker.event === 'pid') state.remotePid = marker.value;
          if (marker.event === 'exit') state.remoteExitCode = marker.value;
        },
      })
    : undefined;
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => (parser ? parser.write(chunk) : stderr.push(chunk)));
  child.on('error', () => {}); // kill() failures after spawn are not run failures
  const outputDone = Promise.all([streamDone(child.stdout), streamDone(child.stderr)]);
  void feedStdin(child, plan);

  let timedOut = false;
  let aborted = false;
  let stopping: Promise<unknown> | undefined;
  const stop = (): void => {
    if (stopping || child.exitCode !== null || child.signalCode !== null) return;
    const remoteKill =
      remote && (options.killRemote ?? true) && state.remotePid !== undefined && !state.markers.has('exit')
        ? killRemoteProcessGroup(remote, state.remotePid, {
            executor: options.executor ?? nodeExecutor,
            sshPath: wrapped.command,
            cwd: wrapped.cwd,
            env: plan.env,
            managedSshOptions: options.managedSshOptions,
            allowUnsafeOptions: options.allowUnsafeOptions,
            sshConfigFile: options.sshConfigFile,
            timeoutMs: REMOTE_KILL_TIMEOUT_MS,
          })
        : Promise.resolve();
    stopping = Promise.all([terminateChild(child, options.killGraceMs ?? DEFAULT_KILL_GRACE_MS), remoteKill]);
  };
  const timer =
    options.timeoutMs !== undefined
      ? setTimeout(() => {
          timedOut = true;
          stop();
        }, options.timeoutMs)
      : undefined;
  const onAbort = (): void => {
    aborted = true;
    stop();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  try {
    await exited;
    await Promise.race([outputDone, sleep(STREAM_GRACE_MS)]);
    await stopping;
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    child.stdout?.destroy();
    child.stderr?.destroy();
    child.stdin?.destroy();
  }
  parser?.end();
  stdout.end();
  stderr.end();

  const result: SshRunResult = {
    exitCode: child.exitCode,
    signal: child.signalCode,
    stdout: stdout.text(),
    stderr: stderr.text(),
    wrapped,
    remoteStarted: remote ? state.markers.has('started') : true,
    timedOut,
    aborted,
    connectionLost: false,
    stdoutTruncated: stdout.truncated,
    stderrTruncated: stderr.truncated,
    durationMs: Date.now() - started,
  };
  if (!remote) return result;

  if (state.remotePid !== undefined) result.remotePid = state.remotePid;
  if (state.remoteExitCode !== undefined) {
    result.remoteExitCode = state.remoteExitCode;
    const remoteSignal = signalFromShellStatus(state.remoteExitCode);
    if (remoteSignal) result.remoteSignal = remoteSignal;
  }
  if (result.remoteStarted) {
    result.connectionLost = state.remoteExitCode === undefined && !timedOut && !aborted;
    return result;
  }
  if (aborted) return result;
  if (timedOut) {
    return {
      ...result,
      errorKind: 'timeout',
      errorMessage: `The command did not start within timeoutMs (${options.timeoutMs} ms)`,
      hint: SSH_FAILURE_HINTS.timeout,
    };
  }
  const failure = await classifyRemoteFailure(result.exitCode, Buffer.concat(state.preStartStderr).toString('utf8'), state.markers, remote.privateKeyPath);
  return { ...result, errorKind: failure.kind, errorMessage: failure.message, hint: failure.hint };
}

async function classifyRemoteFailure(
  exitCode: number | null,
  sshStderr: string,
  markers: Set<RemoteScriptEvent>,
  privateKeyPath: string | undefined,
): Promise<SshFailure> {
  const first = classifySshFailure({ exitCode, stderr: sshStderr, markers });
  if (first.kind !== 'auth-failed' || !privateKeyPath) return first;
  const keyEncrypted = await isEncryptedPrivateKey(privateKeyPath);
  return keyEncrypted ? classifySshFailure({ exitCode, stderr: sshStderr, markers, keyEncrypted }) : first;
}
