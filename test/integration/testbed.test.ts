import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { ALL_SHELLS, rawSshArgs, remoteFor, startTestbed, type TestbedUser } from '../testbed/index.js';

const tb = inject('testbed');

interface SshResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function ssh(args: string[], command: string): Promise<SshResult> {
  return new Promise((resolve) => {
    execFile('ssh', [...args, '--', command], { timeout: 15_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe.skipIf(!tb)('real-OpenSSH testbed', () => {
  const info = tb!;

  it('has one user per supported shell', () => {
    expect(info.users.map((u) => u.shell).sort()).toEqual([...ALL_SHELLS].sort());
  });

  describe.concurrent.each(ALL_SHELLS)('%s user', (shell) => {
    const user = (): TestbedUser => info.users.find((u) => u.shell === shell)!;

    it('logs in with the intended login shell and runs argdump with exact argv', async () => {
      const u = user();
      // Trailing "; exit 0" stops the shell from exec()ing argdump, so its parent IS the login shell.
      // 'b c' quoting is valid in every shell of the bed, fish and tcsh included.
      const result = await ssh(rawSshArgs(info, u.name), `${info.argdump} a 'b c'; exit 0`);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const dump = JSON.parse(result.stdout);
      expect(dump.argv).toEqual(['a', 'b c']);
      expect(dump.cwd).toBe(u.home);
      expect(dump.env.HOME).toBe(u.home);
      expect(dump.env.USER).toBe(u.name);
      expect(dump.parentExe).toBe(fs.realpathSync(u.shellPath));
    });

    it('records the shell in the passwd entry', async () => {
      const u = user();
      const passwd = await new Promise<string>((resolve, reject) =>
        execFile('getent', ['passwd', u.name], (err, out) => (err ? reject(err) : resolve(out))),
      );
      expect(passwd.trim().split(':').slice(5)).toEqual([u.home, u.shellPath]);
    });
  });

  it('argdump reports stdin, stderr knob and exit code', async () => {
    const u = info.users.find((x) => x.shell === 'bash')!;
    const result = await ssh(
      rawSshArgs(info, u.name),
      `printf 'in\\0put' | ARGDUMP_READ_STDIN=1 ARGDUMP_STDERR=oops ARGDUMP_EXIT=7 ${info.argdump}`,
    );
    expect(result.code).toBe(7);
    expect(result.stderr).toBe('oops');
    const dump = JSON.parse(result.stdout);
    expect(dump.stdin).toBe('in\0put');
    expect(dump.stdinIsTTY).toBe(false);
  });

  it('keeps root out of ~/.ssh: remoteFor points ssh at the testbed files', () => {
    const remote = remoteFor(info, info.users[0]!, { customOptions: { ServerAliveInterval: '5' } });
    expect(remote).toMatchObject({ host: '127.0.0.1', port: info.port, useSshConfig: false });
    expect(remote.customOptions).toMatchObject({
      UserKnownHostsFile: info.knownHostsFile,
      ServerAliveInterval: '5',
    });
    expect(fs.statSync(info.clientKey).mode & 0o777).toBe(0o600);
    // Shared by every test file: it starts empty, so accept-new may only ever add this server.
    for (const line of fs.readFileSync(info.knownHostsFile, 'utf8').split('\n').filter(Boolean)) {
      expect(line.startsWith(`[127.0.0.1]:${info.port} `), `a foreign host in the shared known_hosts: ${line.slice(0, 60)}`).toBe(true);
    }
  });

  it('authorises the passphrase-protected key (passphrase testpass)', async () => {
    const pub = await new Promise<string>((resolve, reject) =>
      execFile('ssh-keygen', ['-y', '-P', 'testpass', '-f', info.encryptedClientKey], (err, out) =>
        err ? reject(err) : resolve(out),
      ),
    );
    const blob = pub.trim().split(/\s+/)[1]!;
    for (const u of info.users) {
      expect(fs.readFileSync(`${info.dir}/authorized_keys/${u.name}`, 'utf8')).toContain(blob);
    }
  });
});

describe.skipIf(!tb)('testbed lifecycle (own current-user sshd)', () => {
  it('restarts on the same port with a new host key, dropping sessions; stop() cleans up', async () => {
    const bed = await startTestbed({ users: 'current' });
    try {
      const args = rawSshArgs(bed, bed.users[0]!.name);
      expect((await ssh(args, 'echo one')).stdout).toBe('one\n');

      const session = spawn('ssh', [...args, '--', 'echo started; sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
      const sessionEnded = new Promise<void>((resolve) => session.once('close', () => resolve()));
      await new Promise<void>((resolve) => session.stdout.once('data', () => resolve()));

      const oldTrust = `${bed.dir}/known_hosts_old`;
      fs.copyFileSync(bed.trustedKnownHostsFile, oldTrust);
      const { port, hostPublicKey, sshdPid } = bed;
      await bed.restart({ newHostKey: true });
      await sessionEnded; // would hang for 30 s if restart left the session running

      expect(bed.port).toBe(port);
      expect(bed.sshdPid).not.toBe(sshdPid);
      expect(bed.hostPublicKey).not.toBe(hostPublicKey);
      expect((await ssh(args, 'echo two')).stdout).toBe('two\n');
      const stale = await ssh(['-o', `UserKnownHostsFile=${oldTrust}`, ...args], 'echo never');
      expect(stale.code).toBe(255);
      expect(stale.stderr).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
    } finally {
      await bed.stop();
    }
    expect(fs.existsSync(bed.dir)).toBe(false);
    expect(() => process.kill(bed.sshdPid, 0)).toThrow();
  });
});
