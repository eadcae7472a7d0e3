import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from './procs.js';

const LOCK_FILE = path.join(os.tmpdir(), 'sshwrap-testbed-all-shells.lock');

/**
 * The swt_* users are machine-global: a second all-shells testbed would re-point their
 * homes and break the first one mid-run. Fail loudly instead; 'current' mode is unaffected.
 */
export function acquireUsersLock(dir: string): () => void {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(LOCK_FILE, `${process.pid}\n${dir}\n`, { flag: 'wx', mode: 0o644 });
      return () => {
        try {
          if (fs.readFileSync(LOCK_FILE, 'utf8').split('\n')[1] === dir) fs.rmSync(LOCK_FILE);
        } catch {
          // already released
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const [pidText, holderDir] = fs.readFileSync(LOCK_FILE, 'utf8').split('\n');
    const holder = Number(pidText);
    if (holder > 0 && isAlive(holder) && holderDir && fs.existsSync(holderDir)) {
      throw new Error(
        `another all-shells testbed is running (pid ${holder}, ${holderDir}); ` +
          `the swt_* users can serve only one at a time. Use startTestbed({ users: 'current' }) ` +
          `for an extra testbed, or remove ${LOCK_FILE} if that process is not a testbed.`,
      );
    }
    fs.rmSync(LOCK_FILE, { force: true }); // stale: holder died without cleaning up
  }
  throw new Error(`could not acquire ${LOCK_FILE}`);
}
