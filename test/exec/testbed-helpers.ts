import fs from 'node:fs';
import { createMemoryStoreAdapter, type SshRemoteStoreAdapter } from '../../src/resolve/index.js';
import { nodeExecutor, type ChildProcessLike, type SpawnExecutor } from '../../src/exec/index.js';
import { remoteFor, type TestbedInfo, type TestbedUser } from '../testbed/index.js';

export function userFor(tb: TestbedInfo, shell: string): TestbedUser {
  const user = tb.users.find((u) => u.shell === shell);
  if (!user) throw new Error(`no ${shell} user in the testbed`);
  return user;
}

/** A store holding the testbed remote for `user`, plus the agentSsh that selects it. */
export function remoteSetup<E extends object = Record<never, never>>(tb: TestbedInfo, user: TestbedUser, extra?: E & { customOptions?: Record<string, string> }) {
  const remote = remoteFor(tb, user, extra);
  const store: SshRemoteStoreAdapter = createMemoryStoreAdapter([remote]);
  return { remote, store, agentSsh: { enabled: true, remoteId: remote.id } };
}

/** nodeExecutor that remembers every child it started, so tests can check they are gone. */
export function recordingExecutor(): SpawnExecutor & { children: ChildProcessLike[] } {
  const children: ChildProcessLike[] = [];
  return {
    children,
    spawn(command, args, options) {
      const child = nodeExecutor.spawn(command, args, options);
      children.push(child);
      return child;
    },
  };
}

/** Pids of live (non-zombie) processes whose command line contains `needle`. */
export function processesWith(needle: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (cmdline.includes(needle) && state !== 'Z' && Number(entry) !== process.pid) found.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return found;
}

export function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Polls `condition` every 50 ms for at most `timeoutMs`. */
export async function eventually(condition: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}
