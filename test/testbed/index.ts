import fs from 'node:fs';
import path from 'node:path';
import { writeArgdump } from './argdump.js';
import { sshdAvailable } from './availability.js';
import { generateKey, knownHostsLine } from './keys.js';
import { acquireUsersLock } from './lock.js';
import { pickFreePort } from './ports.js';
import { descendants, terminate } from './procs.js';
import { renderClientConfig } from './remote.js';
import { renderSshdConfig, SshdStartError, startSshd, stopSshd, type RunningSshd } from './sshd.js';
import type { RestartOptions, StartTestbedOptions, Testbed, TestbedInfo } from './types.js';
import { currentUser, setUpShellUsers } from './users.js';

export type { TestShell, TestbedUser, TestbedInfo, Testbed, StartTestbedOptions, RestartOptions, UsersMode } from './types.js';
export { ALL_SHELLS } from './types.js';
export { sshdAvailable, type Availability } from './availability.js';
export { remoteFor, rawSshArgs, type TestbedRemote } from './remote.js';
export { NOISE_VARIABLE, NOISE_MODES, SLOW_LOGIN_MODE, noiseOf, type NoiseMode } from './noise.js';

const PORT_ATTEMPTS = 5;

/** Strips the methods so the result survives structured cloning (vitest provide/inject). */
export function testbedInfo(tb: TestbedInfo): TestbedInfo {
  return JSON.parse(JSON.stringify(tb)) as TestbedInfo;
}

interface Paths {
  dir: string;
  bin: string;
  hostKey: string;
  sshdConfig: string;
  sshdLog: string;
  sshdStderr: string;
  pidFile: string;
  authorizedKeys: string;
}

function layout(dir: string): Paths {
  return {
    dir,
    bin: path.join(dir, 'bin'),
    hostKey: path.join(dir, 'ssh_host_ed25519_key'),
    sshdConfig: path.join(dir, 'sshd_config'),
    sshdLog: path.join(dir, 'sshd.log'),
    sshdStderr: path.join(dir, 'sshd.stderr'),
    pidFile: path.join(dir, 'sshd.pid'),
    authorizedKeys: path.join(dir, 'authorized_keys'),
  };
}

/**
 * Starts a throwaway OpenSSH server on 127.0.0.1 with its own host key, client keys and
 * (in 'all-shells' mode, root only) one user per supported login shell.
 */
export async function startTestbed(opts: StartTestbedOptions = {}): Promise<Testbed> {
  const mode = opts.users ?? 'all-shells';
  const availability = sshdAvailable({ users: mode });
  if (!availability.ok) throw new Error(`testbed unavailable: ${availability.reason}`);

  // Literally /tmp, not os.tmpdir(): a TMPDIR under a 0700 home would lock the test users out.
  const dir = fs.mkdtempSync('/tmp/sshwrap-testbed-');
  // mkdtemp makes 0700; test users must traverse it to reach their homes and argdump.
  fs.chmodSync(dir, 0o755);
  const paths = layout(dir);
  let releaseLock = (): void => {};
  try {
    if (mode === 'all-shells') releaseLock = await acquireUsersLock(dir, opts.lockWaitMs ?? 0);
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let sshd: RunningSshd | null = null;
  // Sessions kept alive across restart({ keepConnections }) are orphaned from the new
  // listener, so stop() must remember them itself.
  const keptSessions: number[] = [];
  // Last resort when the runner crashes or forgets stop(): 'exit' handlers must be synchronous.
  const killOnExit = (): void => {
    try {
      if (sshd) process.kill(sshd.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    releaseLock();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', killOnExit);

  try {
    fs.mkdirSync(paths.bin, { mode: 0o755 });
    fs.mkdirSync(paths.authorizedKeys, { mode: 0o755 });
    if (process.getuid?.() === 0) {
      // sshd's privilege-separation chroot; only needed (and only creatable) as root.
      fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    }

    const clientKey = path.join(dir, 'client_ed25519');
    const encryptedClientKey = path.join(dir, 'client_ed25519_encrypted');
    const [hostPublicKey, clientPub, encryptedPub] = await Promise.all([
      generateKey(paths.hostKey, { comment: 'sshwrap-testbed-host' }),
      generateKey(clientKey, { comment: 'sshwrap-testbed-client' }),
      generateKey(encryptedClientKey, { comment: 'sshwrap-testbed-client-encrypted', passphrase: 'testpass' }),
    ]);

    const argdump = writeArgdump(paths.bin);
    const users = mode === 'all-shells' ? await setUpShellUsers(dir, paths.bin) : [currentUser()];
    for (const user of users) {
      fs.writeFileSync(path.join(paths.authorizedKeys, user.name), `${clientPub}\n${encryptedPub}\n`, { mode: 0o644 });
    }

    const knownHostsFile = path.join(dir, 'known_hosts');
    fs.writeFileSync(knownHostsFile, '', { mode: 0o644 });
    const trustedKnownHostsFile = path.join(dir, 'known_hosts_trusted');
    const clientConfigFile = path.join(dir, 'ssh_config');

    const launch = async (port: number): Promise<RunningSshd> => {
      const config = renderSshdConfig({
        port,
        hostKey: paths.hostKey,
        pidFile: paths.pidFile,
        authorizedKeysDir: paths.authorizedKeys,
        allowUsers: users.map((u) => u.name),
        extra: opts.sshdConfigExtra,
      });
      fs.writeFileSync(paths.sshdConfig, config, { mode: 0o644 });
      return startSshd({
        configFile: paths.sshdConfig,
        logFile: paths.sshdLog,
        stderrFile: paths.sshdStderr,
        pidFile: paths.pidFile,
        port,
      });
    };

    let port = opts.port ?? (await pickFreePort());
    for (let attempt = 1; ; attempt++) {
      try {
        sshd = await launch(port);
        break;
      } catch (err) {
        const retryable = err instanceof SshdStartError && err.addressInUse && opts.port === undefined;
        if (!retryable || attempt >= PORT_ATTEMPTS) throw err;
        port = await pickFreePort();
      }
    }

    const writeTrust = (hostKey: string): void =>
      fs.writeFileSync(trustedKnownHostsFile, knownHostsLine('127.0.0.1', port, hostKey), { mode: 0o644 });
    writeTrust(hostPublicKey);
    fs.writeFileSync(clientConfigFile, renderClientConfig({ port, clientKey, trustedKnownHostsFile }), { mode: 0o644 });

    let stopped = false;
    const testbed: Testbed = {
      host: '127.0.0.1',
      port,
      dir,
      clientKey,
      encryptedClientKey,
      knownHostsFile,
      trustedKnownHostsFile,
      hostPublicKey,
      clientConfigFile,
      users,
      argdump,
      sshdPid: sshd.pid,
      sshdLog: paths.sshdLog,

      async stop(): Promise<void> {
        if (stopped) return;
        stopped = true;
        try {
          if (sshd) await stopSshd(sshd);
          await terminate(keptSessions);
        } finally {
          sshd = null;
          process.off('exit', killOnExit);
          releaseLock();
          fs.rmSync(dir, { recursive: true, force: true });
        }
      },

      async restart(restartOpts: RestartOptions = {}): Promise<void> {
        if (stopped) throw new Error('testbed already stopped');
        if (sshd && restartOpts.keepConnections) keptSessions.push(...descendants(sshd.pid));
        if (sshd) await stopSshd(sshd, { keepConnections: restartOpts.keepConnections });
        sshd = null;
        if (restartOpts.newHostKey) {
          testbed.hostPublicKey = await generateKey(paths.hostKey, { comment: 'sshwrap-testbed-host' });
          writeTrust(testbed.hostPublicKey);
        }
        // The kernel may briefly keep the port; bounded retries on the SAME port.
        for (let attempt = 1; ; attempt++) {
          try {
            sshd = await launch(port);
            break;
          } catch (err) {
            if (!(err instanceof SshdStartError && err.addressInUse) || attempt >= PORT_ATTEMPTS) throw err;
            await new Promise((r) => setTimeout(r, 200));
          }
        }
        testbed.sshdPid = sshd.pid;
      },
    };
    return testbed;
  } catch (err) {
    if (sshd) await stopSshd(sshd).catch(() => {});
    process.off('exit', killOnExit);
    releaseLock();
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
