import type { ChildProcessLike } from '../../process/executor.js';

/** Resolves when the child has exited (immediately if it already has). */
export function whenExited(child: ChildProcessLike): Promise<void> {
  if (hasExited(child)) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** The child's exit (code or signal) is known. */
export function hasExited(child: ChildProcessLike): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function delay(ms: number): Promise<'timeout'> {
  return new Promise((resolve) => setTimeout(() => resolve('timeout'), ms).unref?.());
}

/** How long to wait after SIGKILL before giving up on a process stuck in the kernel. */
const AFTER_KILL_MS = 5_000;

/**
 * `signal` (SIGTERM unless told), then SIGKILL if the process is still there after `graceMs`;
 * resolves when it exited or, at the latest, `graceMs + 5 s` later (a process stuck in the kernel
 * cannot block us). SIGKILL as the first signal skips the grace period.
 *
 * @example
 * ```ts
 * await terminateChild(child, 2000);
 * ```
 */
export async function terminateChild(child: ChildProcessLike, graceMs: number, signal: NodeJS.Signals | number = 'SIGTERM'): Promise<void> {
  const exited = whenExited(child);
  if (hasExited(child)) return;
  child.kill(signal);
  if (signal !== 'SIGKILL' && signal !== 9) {
    if ((await Promise.race([exited.then(() => 'exited' as const), delay(graceMs)])) === 'exited') return;
    child.kill('SIGKILL');
  }
  await Promise.race([exited, delay(AFTER_KILL_MS)]);
}
