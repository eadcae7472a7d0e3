import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from './exec.js';
import { NOISE_SCRIPT_NAME, noiseHook, renderNoiseScript } from './noise.js';
import { ALL_SHELLS, type TestbedUser, type TestShell } from './types.js';

const SHELL_BINARIES: Record<TestShell, string> = {
  bash: 'bash',
  dash: 'dash',
  zsh: 'zsh',
  mksh: 'mksh',
  ash: 'busybox',
  fish: 'fish',
  tcsh: 'tcsh',
};

const SEARCH_DIRS = ['/usr/bin', '/bin', '/usr/local/bin'];

export function findExecutable(name: string): string | null {
  for (const dir of SEARCH_DIRS) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return null;
}

export function missingShells(): TestShell[] {
  return ALL_SHELLS.filter((shell) => findExecutable(SHELL_BINARIES[shell]) === null);
}

/** Maps a login shell path to a TestShell by what it really executes (/bin/sh -> dash). */
export function classifyShell(shellPath: string): TestShell | null {
  let real: string;
  try {
    real = fs.realpathSync(shellPath);
  } catch {
    return null;
  }
  const base = path.basename(real);
  if (base === 'busybox') return 'ash';
  if (base === 'mksh-static') return 'mksh';
  return (ALL_SHELLS as readonly string[]).includes(base) ? (base as TestShell) : null;
}

/**
 * busybox picks the applet from argv[0], and sshd passes the basename of the login shell
 * as argv[0], so ash needs a symlink literally named "ash".
 */
function shellPathFor(shell: TestShell, binDir: string): string {
  const binary = findExecutable(SHELL_BINARIES[shell]);
  if (!binary) throw new Error(`shell ${shell} (${SHELL_BINARIES[shell]}) is not installed`);
  if (shell !== 'ash') return binary;
  const link = path.join(binDir, 'ash');
  fs.symlinkSync(binary, link);
  return link;
}

// Dotfiles exist (and print nothing) so that system defaults such as zsh-newuser-install
// or fish's greeting never leak into test output. Each one also runs the login-noise script,
// but only in a session that was sent SSHWRAP_TEST_NOISE, which only framing.test.ts does.
const DOTFILES: Record<string, string> = {
  '.profile': noiseHook('posix', '.profile'),
  '.bash_profile': noiseHook('posix', '.bash_profile'),
  '.bashrc': noiseHook('posix', '.bashrc'),
  '.zshenv': noiseHook('posix', '.zshenv'),
  '.zprofile': noiseHook('posix', '.zprofile'),
  '.zshrc': noiseHook('posix', '.zshrc'),
  '.mkshrc': noiseHook('posix', '.mkshrc'),
  '.tcshrc': noiseHook('csh', '.tcshrc'),
  '.config/fish/config.fish': `set -g fish_greeting ""\n${noiseHook('fish', 'config.fish')}`,
  [NOISE_SCRIPT_NAME]: renderNoiseScript(),
};

function writeDotfiles(home: string, uid: number, gid: number): void {
  for (const [rel, content] of Object.entries(DOTFILES)) {
    const file = path.join(home, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
    fs.writeFileSync(file, content, { mode: 0o644 });
  }
  const chownTree = (p: string): void => {
    fs.lchownSync(p, uid, gid);
    if (fs.lstatSync(p).isDirectory()) for (const e of fs.readdirSync(p)) chownTree(path.join(p, e));
  };
  chownTree(home);
}

async function passwdEntry(name: string): Promise<string[] | null> {
  try {
    return (await run('getent', ['passwd', name])).stdout.trim().split(':');
  } catch {
    return null; // getent exits 2 for an unknown key
  }
}

async function groupExists(name: string): Promise<boolean> {
  return run('getent', ['group', name]).then(
    () => true,
    () => false,
  );
}

/**
 * Creates or re-points swt_<shell>. Users are left behind on purpose: deleting them would
 * race with a concurrent run and buys nothing. '*' unlocks the account for key-only login
 * (useradd's default '!' makes sshd refuse it when PAM is off).
 */
async function ensureUser(name: string, shellPath: string, home: string): Promise<void> {
  const common = ['-d', home, '-s', shellPath, '-p', '*'];
  if (await passwdEntry(name)) {
    // usermod refuses a user with running processes; anything left from an earlier, crashed run
    // belongs to nobody now (the bed holds the users lock). Bounded: pkill does not wait.
    await run('pkill', ['-KILL', '-u', name]).catch(() => undefined);
    for (let attempt = 0; attempt < 20; attempt++) {
      const alive = await run('pgrep', ['-u', name]).then(() => true, () => false);
      if (!alive) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await run('/usr/sbin/usermod', [...common, name]);
  } else {
    const group = (await groupExists(name)) ? ['-g', name] : ['-U'];
    await run('/usr/sbin/useradd', ['-M', ...group, ...common, name]);
  }
}

/** Sequential on purpose: useradd/usermod fail instead of waiting on /etc/passwd.lock. */
export async function setUpShellUsers(dir: string, binDir: string): Promise<TestbedUser[]> {
  const users: TestbedUser[] = [];
  for (const shell of ALL_SHELLS) {
    const name = `swt_${shell}`;
    const home = path.join(dir, 'home', name);
    const shellPath = shellPathFor(shell, binDir);
    fs.mkdirSync(home, { recursive: true, mode: 0o755 });
    await ensureUser(name, shellPath, home);
    const entry = await passwdEntry(name);
    if (!entry) throw new Error(`user ${name} missing right after useradd`);
    writeDotfiles(home, Number(entry[2]), Number(entry[3]));
    users.push({ name, shell, shellPath, home });
  }
  return users;
}

export function currentUser(): TestbedUser {
  const info = os.userInfo();
  const shellPath = info.shell ?? '/bin/sh';
  const shell = classifyShell(shellPath);
  if (!shell) throw new Error(`login shell ${shellPath} of ${info.username} is not a supported test shell`);
  return { name: info.username, shell, shellPath, home: info.homedir };
}
