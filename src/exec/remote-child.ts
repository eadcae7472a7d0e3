import type { SshSpawnWrapResult } from '../wrap/index.js';
import type { ChildProcessLike, SpawnExecutor } from '../process/executor.js';
import { createStatusMarkerStripper, type StatusMarker } from './markers.js';
import { createOutputDeframer, type LoginOutput } from './output-frame.js';
import { Terminator, remoteStopTarget } from './terminate/index.js';

/** The run's settings (the remote kill connects with the same ones) and its marker token. */
export interface RemoteChildContext {
  wrapped: SshSpawnWrapResult;
  token: string;
  executor: SpawnExecutor;
  env: NodeJS.ProcessEnv;
  managedSshOptions?: Record<string, string> | undefined;
  allowUnsafeOptions?: string[] | undefined;
  sshConfigFile?: string | undefined;
  /** Between TERM and KILL, locally and remotely. @default 2000 */
  killGraceMs?: number | undefined;
  /** Stop the remote group over a second connection too. @default true */
  killRemote?: boolean | undefined;
  signal?: AbortSignal | undefined;
  /** Receives the reader of the run's login output. */
  onLoginOutput?: ((read: () => LoginOutput) => void) | undefined;
  /** Status markers as they arrive (the runner turns them into events). */
  onMarker?: ((marker: StatusMarker) => void) | undefined;
}

/**
 * The ssh child as callers see it: stderr without the remote script's status markers, and a
 * `kill()` that stops the run through the one stop path ({@link Terminator}): the local ssh
 * (the signal, then SIGKILL after `killGraceMs`) and the REMOTE process group (the script reported
 * its pid), because killing only the local ssh leaves a no-tty remote command running. Abort does
 * the same. Everything else is the real child.
 */
export function remoteChild(child: ChildProcessLike, context: RemoteChildContext): { child: ChildProcessLike; terminator: Terminator } {
  const remote = context.wrapped.sshRemoteUsed;
  let remotePid: number | undefined;
  let remoteExited = false;
  let started = false;
  // Framed: stdout and stderr carry exactly what the command wrote; login noise goes to loginOutput.
  const frames = context.wrapped.frameOutput ? createOutputDeframer(context.wrapped) : undefined;
  const stdout = child.stdout && frames ? child.stdout.pipe(frames.stdout) : child.stdout;
  const stderr = child.stderr ? child.stderr.pipe(frames ? frames.stderr : createStatusMarkerStripper(context.token)) : null;
  context.onLoginOutput?.(() => frames?.loginOutput() ?? { stdout: '', stderr: '' });
  stderr?.on('marker', (marker: StatusMarker) => {
    // Only the script's first report, before the command starts, and never pid 0/1 ("everything").
    if (marker.event === 'pid' && remotePid === undefined && !started && (marker.value ?? 0) > 1) remotePid = marker.value;
    if (marker.event === 'started') started = true;
    if (marker.event === 'exit') remoteExited = true;
    context.onMarker?.(marker);
  });

  const terminator = new Terminator(child, {
    killGraceMs: context.killGraceMs,
    remote: remoteStopTarget(remote, {
      ...context,
      sshPath: context.wrapped.command,
      cwd: context.wrapped.cwd,
      pid: () => remotePid,
      exited: () => remoteExited,
    }),
  });
  const kill = (signal: NodeJS.Signals | number = 'SIGTERM'): boolean => {
    if (terminator.stop('kill', signal)) return true;
    // Already stopping: a further kill (e.g. SIGKILL now) still reaches the local process.
    return child.exitCode === null && child.signalCode === null ? child.kill(signal) : false;
  };
  if (context.signal) {
    const onAbort = (): void => void terminator.stop('abort');
    if (context.signal.aborted) onAbort();
    else {
      context.signal.addEventListener('abort', onAbort, { once: true });
      child.once('close', () => context.signal!.removeEventListener('abort', onAbort));
    }
  }
  const proxy = new Proxy(child, {
    get(target, property) {
      if (property === 'stderr') return stderr;
      if (property === 'stdout') return stdout;
      if (property === 'kill') return kill;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { child: proxy, terminator };
}
