import type { SshRemoteStoreAdapter } from '../resolve/index.js';
import { assertKnownOptions, type AgentSshRemoteConfig, type SshSpawnWrapConfig } from '../schemas/index.js';
import { nodeExecutor } from '../process/executor.js';
import { randomMarkerToken } from './markers.js';
import { SPAWN_OPTION_KEYS, type SpawnWithSshOptions, type SpawnWithSshResult } from './options.js';
import { prepareRun, wrapPrepared } from './prepare.js';
import type { LoginOutput } from './output-frame.js';
import { remoteChild } from './remote-child.js';
import { Terminator } from './terminate/index.js';
import { observeOutput } from './observe.js';
import { RunProgress, spawnDescription } from './events.js';
import { feedStdin, startPlan } from './start.js';
import { acquireHandshakeSlot, checkHandshakeLimit } from './handshake-gate.js';
import type { ChildProcessLike } from '../process/executor.js';
import { stageAttachments, withoutAttachmentOptions } from '../files/attachments.js';

/** `child` whose kill() goes through `terminator` (a further kill while stopping reaches the process directly). */
function withKill(child: ChildProcessLike, terminator: Terminator): ChildProcessLike {
  const kill = (signal: NodeJS.Signals | number = 'SIGTERM'): boolean =>
    terminator.stop('kill', signal) || (child.exitCode === null && child.signalCode === null && child.kill(signal));
  return new Proxy(child, {
    get(target, property) {
      if (property === 'kill') return kill;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Wraps a spawn with `wrapSpawnWithSsh` and starts it: ssh with the remote command, or the
 * command itself when SSH is off for this agent. The stdin input (a large prompt and/or
 * `secretEnv` values) is streamed with backpressure and stdin is ended, so the remote command
 * sees EOF; with `keepStdin` the input is written and stdin stays open for you.
 *
 * For a remote run the child's `stderr` has sshwrap's status lines removed, and `kill()` (or
 * aborting `signal`) stops the run through the one stop path: the local ssh gets the signal
 * (SIGTERM by default), then SIGKILL after `killGraceMs`, and the remote process group is stopped
 * over a second connection (TERM, `killGraceMs`, KILL; `killRemote: false` skips it). Killing only
 * the local ssh would leave a no-tty remote command running. `stopReason()` says why it stopped.
 *
 * The lifeline (`lifeline`, on by default): ssh's stdin stays open after the input is written,
 * and the remote command is stopped when it reaches EOF, so the remote run never outlives this
 * process, its ssh or the connection. Do not end `child.stdin` yourself (that stops the run). With
 * `keepStdin` the agent reads ssh's stdin itself: ending it is the agent's normal EOF, and the
 * agent is expected to exit on it (an agent that ignores its stdin is not tied to its owner then).
 *
 * Resolves once the process is running. Bad input rejects with `SshWrapError` before anything
 * starts; a process that cannot be started rejects with `SshWrapError('SPAWN_FAILED')`, with
 * nothing left running.
 *
 * `attachments` are uploaded before the process starts (a failed upload rejects with
 * `RemoteFileError`) and removed after the child's `'close'` (docs/files.md).
 *
 * @example
 * ```ts
 * const { child, wrapped } = await spawnWithSsh(
 *   { command: 'claude', args: ['--print'], cwd: '/srv/app', prompt: 'Summarise README.md' },
 *   { enabled: true, remoteId: 'gpu-1' },
 *   createMemoryStoreAdapter(remotes),
 * );
 * child.stdout!.pipe(process.stdout);
 * child.on('exit', (code) => console.log(wrapped.sshRemoteUsed?.host, 'exited', code));
 * ```
 */
export async function spawnWithSsh(
  config: SshSpawnWrapConfig,
  agentSsh: AgentSshRemoteConfig | null | undefined,
  store: SshRemoteStoreAdapter,
  options: SpawnWithSshOptions = {},
): Promise<SpawnWithSshResult> {
  assertKnownOptions(options, SPAWN_OPTION_KEYS, 'spawnWithSsh options');
  checkHandshakeLimit(options.maxConcurrentHandshakesPerHost);
  if (options.attachments !== undefined || options.attachmentArgs !== undefined || options.maxAttachmentBytes !== undefined) {
    const { config: withPaths, staged } = await stageAttachments(spawnWithSsh, config, agentSsh, store, options);
    try {
      const started = await spawnWithSsh(withPaths, agentSsh, store, withoutAttachmentOptions(options));
      // After 'close': the command is gone (kill() and abort stop the remote group first).
      started.child.once('close', () => void staged.cleanup());
      return started;
    } catch (error) {
      await staged.cleanup();
      throw error;
    }
  }
  const prepared = await prepareRun(config, agentSsh, store, options);
  let releaseHandshake = (): void => {};
  try {
    // The status markers give the remote pid, so kill() and abort can stop the remote side too.
    const token = options.statusMarker ?? randomMarkerToken();
    // The lifeline (on unless the caller turned it off): the remote command ends when ssh's
    // stdin does, so it never outlives this process, its ssh or its connection.
    const { wrapped, plan } = await wrapPrepared(prepared, { statusMarker: token, frameOutput: true, lifeline: options.lifeline ?? true });
    const executor = prepared.options.executor ?? nodeExecutor;
    // An abort ends the wait; the child is then stopped as it starts (remoteChild), as without a gate.
    releaseHandshake = await acquireHandshakeSlot(wrapped.sshRemoteUsed, prepared.lease, options.maxConcurrentHandshakesPerHost, options.signal).catch(() => () => {});
    const { child: started } = await startPlan(plan, executor, wrapped.sshRemoteUsed ? undefined : options.signal);
    let loginOutput = (): LoginOutput => ({ stdout: '', stderr: '' });
    const { callbacks } = prepared;
    let remoteExitCode: number | undefined;
    const progress = new RunProgress(
      callbacks,
      { remote: wrapped.sshRemoteUsed !== null, ...spawnDescription(prepared.config, prepared.remote, prepared.options) },
      prepared.lease?.reused ?? false,
    );
    let terminator: Terminator;
    let stoppable: typeof started;
    if (wrapped.sshRemoteUsed) {
      ({ child: stoppable, terminator } = remoteChild(started, {
        ...prepared.options,
        wrapped,
        token,
        executor,
        env: plan.env,
        signal: options.signal,
        onLoginOutput: (read) => (loginOutput = read),
        onMarker: (marker) => {
          if (marker.event === 'pid') releaseHandshake();
          progress.marker(marker);
          if (marker.event === 'exit') remoteExitCode = marker.value;
        },
      }));
    } else {
      // A local run: the same escalation (the signal, killGraceMs, SIGKILL) for kill(); the abort
      // signal went to the spawn itself.
      terminator = new Terminator(started, { killGraceMs: options.killGraceMs });
      stoppable = withKill(started, terminator);
    }
    const remote = stoppable;
    const child = observeOutput(remote, callbacks, options, progress);
    // A callback that threw stops the run (remote side included) and surfaces on child.stdout.
    callbacks.onFail = () => {
      terminator.stop('callback-error');
      child.stdout?.destroy(callbacks.error instanceof Error ? callbacks.error : new Error(String(callbacks.error)));
    };
    // After 'close': the exit marker has been read by then.
    child.once('close', (code) =>
      callbacks.emit({ type: 'exit', exitCode: code ?? null, ...(remoteExitCode !== undefined ? { remoteExitCode } : {}), durationMs: progress.elapsed() }),
    );
    // The lease is the host slot: held for the whole life of the process.
    child.once('exit', () => prepared.releaseLease());
    child.once('exit', releaseHandshake);
    // The lifeline ends with the process: nothing is written to it, and an open pipe to a dead
    // child would only hold a file descriptor.
    if (plan.keepStdin && !options.keepStdin) child.once('exit', () => child.stdin?.destroy());
    child.once('close', () => void prepared.release());
    return { child, wrapped, stdinWritten: feedStdin(child, plan), loginOutput: () => loginOutput(), stopReason: () => terminator.reason };
  } catch (error) {
    releaseHandshake();
    await prepared.release();
    throw error;
  }
}
