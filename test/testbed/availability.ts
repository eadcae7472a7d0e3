import fs from 'node:fs';
import os from 'node:os';
import { SSHD_PATH } from './sshd.js';
import { findExecutable, missingShells, classifyShell } from './users.js';
import type { UsersMode } from './types.js';

export type Availability = { ok: true } | { ok: false; reason: string };

/** Whether startTestbed({ users }) can work on this machine, and if not, why. */
export function sshdAvailable(opts: { users?: UsersMode } = {}): Availability {
  const mode = opts.users ?? 'all-shells';
  if (process.platform !== 'linux') return { ok: false, reason: `testbed needs Linux (/proc), got ${process.platform}` };
  try {
    fs.accessSync(SSHD_PATH, fs.constants.X_OK);
  } catch {
    return { ok: false, reason: `${SSHD_PATH} not found or not executable (apt-get install openssh-server)` };
  }
  for (const tool of ['ssh', 'ssh-keygen']) {
    if (!findExecutable(tool)) return { ok: false, reason: `${tool} not found (apt-get install openssh-client)` };
  }
  if (mode === 'current') {
    const shell = os.userInfo().shell ?? '/bin/sh';
    return classifyShell(shell)
      ? { ok: true }
      : { ok: false, reason: `current user's login shell ${shell} is not a supported test shell` };
  }
  if (process.getuid?.() !== 0) {
    return { ok: false, reason: "users: 'all-shells' creates system users and needs root (CI runs as root)" };
  }
  for (const tool of ['useradd', 'usermod']) {
    if (!fs.existsSync(`/usr/sbin/${tool}`)) return { ok: false, reason: `/usr/sbin/${tool} not found` };
  }
  const missing = missingShells();
  if (missing.length > 0) {
    return { ok: false, reason: `shells not installed: ${missing.join(', ')} (see .ci/run for the apt-get line)` };
  }
  return { ok: true };
}
