import fs from 'node:fs';
import { sleep } from './exec.js';
import { isAlive, parentOf } from './procs.js';

// Machine-wide like the users it guards, hence a fixed path rather than os.tmpdir().
const LOCK_FILE = '/tmp/sshwrap-testbed-all-shells.lock';

function tryCreate(dir: string): boolean {
  try {
    fs.writeFileSync(LOCK_FILE, `${process.pid}\n${dir}\n`, { flag: 'wx', mode: 0o644 });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** The live holder, or null after clearing a stale lock (holder died without cleaning up). */
function liveHolder(): { pid: number; dir: string } | null {
  let content: string;
  try {
    content = fs.readFileSync(LOCK_FILE, 'utf8');
  } catch {
    return null; // released in the meantime
  }
  const [pidText, dir] = content.split('\n');
  const pid = Number(pidText);
  if (pid > 0 && isAlive(pid) && dir && fs.existsSync(dir)) return { pid, dir };
  fs.rmSync(LOCK_FILE, { force: true });
  return null;
}

/** Waiting on our own process or an ancestor (vitest's main process) could never succeed. */
function isSelfOrAncestor(pid: number): boolean {
  for (let current: number | null = process.pid, hops = 0; current && hops < 64; hops++) {
    if (current === pid) return true;
    current = parentOf(current);
  }
  return false;
}

/**
 * The swt_* users are machine-global: a second all-shells testbed would re-point their
 * homes and break the first one mid-run. Waits up to waitMs for another run (e.g. a
 * colleague's `npm test` on the same machine) to finish; 'current' mode needs no lock.
 */
export async function acquireUsersLock(dir: string, waitMs: number): Promise<() => void> {
  const deadline = Date.now() + waitMs;
  let told = false;
  // Bounded even if a racing process keeps creating and deleting the lock file.
  for (let attempt = 0; attempt < Math.ceil(waitMs / 250) + 20; attempt++) {
    if (tryCreate(dir)) {
      return () => {
        try {
          if (fs.readFileSync(LOCK_FILE, 'utf8').split('\n')[1] === dir) fs.rmSync(LOCK_FILE);
        } catch {
          // already released
        }
      };
    }
    const holder = liveHolder();
    if (!holder) continue;
    if (isSelfOrAncestor(holder.pid) || Date.now() >= deadline) {
      throw new Error(
        `another all-shells testbed is running (pid ${holder.pid}, ${holder.dir}); ` +
          `the swt_* users can serve only one at a time. Use startTestbed({ users: 'current' }) ` +
          `for an extra testbed, or remove ${LOCK_FILE} if that process is not a testbed.`,
      );
    }
    if (!told) {
      process.stderr.write(`[testbed] waiting up to ${Math.round(waitMs / 1000)} s for the all-shells testbed of pid ${holder.pid}\n`);
      told = true;
    }
    await sleep(250);
  }
  throw new Error(`could not acquire ${LOCK_FILE}`);
}
