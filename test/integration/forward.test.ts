import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runWithSsh } from '../../src/exec/index.js';
import { forwardPort, forwardSocketToRemote, SshForwardError } from '../../src/forward/index.js';
import { ConnectionPool } from '../../src/pool/index.js';
import { quotePosix } from '../../src/quoting/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { parseSshRemoteConfig, type SshRemoteConfig } from '../../src/schemas/index.js';
import { wrapInteractiveShell } from '../../src/wrap/index.js';
import { eventually, processesWith, remoteSetup, userFor } from '../exec/testbed-helpers.js';
import { remoteFor, startTestbed, type Testbed } from '../testbed/index.js';

// Two private sshds (current user): one with OpenSSH's defaults (forwarding allowed) that these
// tests may restart, one with `AllowTcpForwarding no` / `AllowStreamLocalForwarding no`. The
// shared test bed (one user per login shell) runs the terminal-tab checks.
const tb = inject('testbed');

/** A tiny HTTP server started ON THE REMOTE (through ssh), logging each request path on stdout. */
const HTTP_SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => { console.log('REQ ' + req.url); res.end('remote:' + req.url); });
server.listen(0, '127.0.0.1', () => console.log('PORT ' + server.address().port));
`;

function connectable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** One GET on a fresh TCP connection (no keep-alive pool: a pooled socket would outlive a killed forward). */
function get(port: number, urlPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false, timeout: 10_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}

interface RemoteHttp {
  port: number;
  requests: string[];
  stop(): Promise<void>;
}

/**
 * Starts the HTTP server on the remote side, through a run on remote 'fwd' (it is the same
 * machine, so the proof that a request went through the forward is the local port refusing
 * once the forward is closed, and the server's own log of the request).
 */
async function startRemoteHttp(store: ReturnType<typeof createMemoryStoreAdapter>): Promise<RemoteHttp> {
  const requests: string[] = [];
  const stop = new AbortController();
  let announced: (port: number) => void = () => undefined;
  const portKnown = new Promise<number>((resolve) => (announced = resolve));
  const done = runWithSsh({ command: process.execPath, args: ['-e', HTTP_SERVER], cwd: '~' }, { enabled: true, remoteId: 'fwd' }, store, {
    signal: stop.signal,
    onStdoutLine: (line) => {
      if (line.startsWith('PORT ')) announced(Number(line.slice(5)));
      if (line.startsWith('REQ ')) requests.push(line.slice(4));
    },
  });
  return {
    port: await portKnown,
    requests,
    async stop() {
      stop.abort();
      await done;
    },
  };
}

describe.skipIf(!tb)('port forwarding and a channel back, against a real sshd', () => {
  let bed: Testbed;
  let refusing: Testbed;
  let remote: SshRemoteConfig;
  let refusingRemote: SshRemoteConfig;
  let store: ReturnType<typeof createMemoryStoreAdapter>;
  let controlDir: string;
  let pool: ConnectionPool;
  let server: RemoteHttp;

  beforeAll(async () => {
    [bed, refusing] = await Promise.all([
      startTestbed({ users: 'current' }),
      startTestbed({ users: 'current', sshdConfigExtra: ['AllowTcpForwarding no', 'AllowStreamLocalForwarding no'] }),
    ]);
    remote = parseSshRemoteConfig({ ...remoteFor(bed, bed.users[0]!), id: 'fwd' });
    refusingRemote = parseSshRemoteConfig({ ...remoteFor(refusing, refusing.users[0]!), id: 'refusing' });
    store = createMemoryStoreAdapter([remote, refusingRemote]);
    controlDir = fs.mkdtempSync('/tmp/swfw-');
    pool = new ConnectionPool({ controlDir });
    server = await startRemoteHttp(store);
  });

  afterAll(async () => {
    await server?.stop();
    await pool?.closeAll();
    await Promise.all([bed?.stop(), refusing?.stop()]);
    if (controlDir) fs.rmSync(controlDir, { recursive: true, force: true });
  });

  it('unpooled: a local port reaches the remote HTTP server (the server logs the request); closed, the port refuses', async () => {
    const forward = await forwardPort('fwd', store, { remotePort: server.port, connectionPool: pool });
    try {
      expect(forward.localPort).not.toBe(server.port);
      const token = `/t-${randomBytes(4).toString('hex')}`;
      expect(await get(forward.localPort, token)).toBe(`remote:${token}`);
      // The remote server saw it (its log line may trail the response by a moment).
      expect(await eventually(() => server.requests.includes(token), 5_000)).toBe(true);
      // Bound to 127.0.0.1 only.
      const listening = execFileSync('ss', ['-Hltn', `( sport = :${forward.localPort} )`], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => line.trim().split(/\s+/)[3]);
      expect(listening).toEqual([`127.0.0.1:${forward.localPort}`]);
    } finally {
      await forward.close();
    }
    expect(await connectable(forward.localPort)).toBe(false);
    expect(processesWith(`127.0.0.1:${forward.localPort}:`)).toEqual([]);
  });

  it('next to pooled runs: the pooled master keeps ClearAllForwardings=yes, only the forwarding connection turns it off', async () => {
    const ran = await runWithSsh({ command: 'true', args: [], cwd: '~' }, { enabled: true, remoteId: 'fwd' }, store, { multiplex: true, connectionPool: pool });
    expect(ran.exitCode).toBe(0);
    const forward = await forwardPort(remote, store, { remotePort: server.port, connectionPool: pool });
    try {
      const token = `/pooled-${randomBytes(4).toString('hex')}`;
      expect(await get(forward.localPort, token)).toBe(`remote:${token}`);
      const cmdline = (pid: number): string => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const [forwarder] = processesWith(`127.0.0.1:${forward.localPort}:`);
      expect(cmdline(forwarder!)).toContain('ClearAllForwardings=no');
      expect(cmdline(forwarder!)).toContain('ControlPath=none');
      // The master retitles itself; its forwarding state is what counts: -O forward is never sent,
      // and a pooled run still works unchanged.
      expect((await runWithSsh({ command: 'echo', args: ['still'], cwd: '~' }, { enabled: true, remoteId: 'fwd' }, store, { multiplex: true, connectionPool: pool })).stdout).toBe('still\n');
    } finally {
      await forward.close();
    }
  });

  it('why not `ssh -O forward` on the pooled master: OpenSSH 9.2 accepts it despite ClearAllForwardings=yes, but an idle master exits after ControlPersist and takes the forward along', async () => {
    // Its own socket directory: the shared pool's master (ControlPersist 60 s) must not be reused here.
    const ownDir = fs.mkdtempSync('/tmp/swfo-');
    const own = new ConnectionPool({ controlDir: ownDir });
    try {
      const lease = await own.acquire(remote, { persistSeconds: 2 });
      const socket = lease.controlPath!;
      lease.release();
      const port = (await new Promise<number>((resolve) => {
        const probe = net.createServer().listen(0, '127.0.0.1', () => {
          const { port: free } = probe.address() as net.AddressInfo;
          probe.close(() => resolve(free));
        });
      }));
      execFileSync('ssh', ['-F', 'none', '-S', socket, '-O', 'forward', '-L', `127.0.0.1:${port}:127.0.0.1:${server.port}`, '--', 'placeholder'], { stdio: 'pipe' });
      expect(await get(port, '/via-master')).toBe('remote:/via-master');
      // No session left on the master: the listener does not count (channels.c channel_still_open).
      expect(await eventually(() => !fs.existsSync(socket), 10_000)).toBe(true);
      expect(await connectable(port)).toBe(false);
    } finally {
      await own.closeAll();
      fs.rmSync(ownDir, { recursive: true, force: true });
    }
  });

  it('a wished local port that is taken: another free port is used', async () => {
    const squatter = net.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => squatter.once('listening', resolve));
    const taken = (squatter.address() as net.AddressInfo).port;
    try {
      const forward = await forwardPort('fwd', store, { remotePort: server.port, localPort: taken, connectionPool: pool });
      try {
        expect(forward.localPort).not.toBe(taken);
        expect(await get(forward.localPort, '/free')).toBe('remote:/free');
      } finally {
        await forward.close();
      }
    } finally {
      squatter.close();
    }
  });

  it('re-established on the same local port after its ssh is killed and after an sshd restart', async () => {
    const forward = await forwardPort('fwd', store, { remotePort: server.port, connectionPool: pool });
    try {
      const port = forward.localPort;
      const [pid] = processesWith(`127.0.0.1:${port}:`);
      process.kill(pid!, 'SIGKILL');
      expect(await eventually(() => forward.reconnects === 1 && forward.connected, 15_000)).toBe(true);
      expect(forward.localPort).toBe(port);
      expect(processesWith(`127.0.0.1:${port}:`)).not.toContain(pid);
      expect(await get(forward.localPort, '/after-kill')).toBe('remote:/after-kill');
      await bed.restart(); // ends every session, the remote HTTP server's run too
      await server.stop();
      server = await startRemoteHttp(store);
      expect(await eventually(() => forward.reconnects === 2 && forward.connected, 20_000)).toBe(true);
      // The forward points at the old server's port: a new forward reaches the new one.
      expect(await connectable(forward.localPort)).toBe(true);
    } finally {
      await forward.close();
    }
    expect(await connectable(forward.localPort)).toBe(false);
  });

  it("closeAll() of the pool closes its forwards (port and socket)", async () => {
    const own = new ConnectionPool({ controlDir });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swsock-'));
    const local = net.createServer((c) => c.end('x')).listen(path.join(dir, 'app.sock'));
    await new Promise((resolve) => local.once('listening', resolve));
    try {
      const forward = await forwardPort('fwd', store, { remotePort: server.port, connectionPool: own });
      const channel = await forwardSocketToRemote('fwd', store, { localSocketPath: path.join(dir, 'app.sock'), connectionPool: own });
      expect(await connectable(forward.localPort)).toBe(true);
      await own.closeAll();
      expect(await connectable(forward.localPort)).toBe(false);
      expect(fs.existsSync(path.dirname(channel.remoteSocketPath))).toBe(false);
    } finally {
      local.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a reverse socket answers a request from the remote side; private dir 0700; removed on close', async () => {
    // The bed's remote user is this user (root can reach anything): 0700 is checked on the dir itself.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swsock-'));
    const localSocketPath = path.join(dir, 'app.sock');
    const seen: string[] = [];
    const local = net.createServer((connection) => {
      connection.setEncoding('utf8');
      connection.on('data', (data: string) => {
        seen.push(data);
        connection.end(`app-answer:${data}`);
      });
    });
    local.listen(localSocketPath);
    await new Promise((resolve) => local.once('listening', resolve));
    try {
      const channel = await forwardSocketToRemote('fwd', store, { localSocketPath, connectionPool: pool });
      try {
        const remoteDir = path.dirname(channel.remoteSocketPath);
        expect(remoteDir).toMatch(/^\/tmp\/sshwrap-sock\./);
        expect(fs.statSync(remoteDir).mode & 0o777).toBe(0o700);
        expect(fs.statSync(channel.remoteSocketPath).isSocket()).toBe(true);
        expect(fs.statSync(channel.remoteSocketPath).mode & 0o777).toBe(0o600); // sshd's StreamLocalBindMask 0177
        const client = `
          const c = require('node:net').connect(process.env.APP_SOCKET);
          c.setEncoding('utf8'); let out = '';
          c.on('data', (d) => (out += d)); c.on('end', () => console.log(out));
          c.write('hello-from-remote');`;
        const result = await runWithSsh({ command: process.execPath, args: ['-e', client], cwd: '~', customEnvVars: { APP_SOCKET: channel.remoteSocketPath } }, { enabled: true, remoteId: 'fwd' }, store, {
          timeoutMs: 20_000,
        });
        expect(result.stdout).toBe('app-answer:hello-from-remote\n');
        expect(seen).toEqual(['hello-from-remote']);
      } finally {
        await channel.close();
      }
      expect(fs.existsSync(path.dirname(channel.remoteSocketPath))).toBe(false);
    } finally {
      local.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a reverse socket comes back on the same remote path after its ssh is killed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swsock-'));
    const localSocketPath = path.join(dir, 'app.sock');
    const local = net.createServer((connection) => connection.end('pong')).listen(localSocketPath);
    await new Promise((resolve) => local.once('listening', resolve));
    const ask = async (socketPath: string): Promise<string> => {
      const client = "const c = require('node:net').connect(process.env.APP_SOCKET); let o = ''; c.setEncoding('utf8'); c.on('data', (d) => (o += d)); c.on('end', () => console.log(o)); c.on('error', (e) => console.log(e.code));";
      const result = await runWithSsh({ command: process.execPath, args: ['-e', client], cwd: '~', customEnvVars: { APP_SOCKET: socketPath } }, { enabled: true, remoteId: 'fwd' }, store, { timeoutMs: 20_000 });
      return result.stdout;
    };
    try {
      const channel = await forwardSocketToRemote('fwd', store, { localSocketPath, connectionPool: pool });
      try {
        expect(await ask(channel.remoteSocketPath)).toBe('pong\n');
        const [pid] = processesWith(`${channel.remoteSocketPath}:`);
        process.kill(pid!, 'SIGKILL');
        expect(await eventually(() => channel.reconnects === 1 && channel.connected, 15_000)).toBe(true);
        expect(await ask(channel.remoteSocketPath)).toBe('pong\n');
      } finally {
        await channel.close();
      }
      expect(fs.existsSync(path.dirname(channel.remoteSocketPath))).toBe(false);
    } finally {
      local.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the owner dies (SIGKILL): its forwarding ssh processes exit with it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swsock-'));
    const localSocketPath = path.join(dir, 'app.sock');
    const local = net.createServer().listen(localSocketPath);
    await new Promise((resolve) => local.once('listening', resolve));
    const owner = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures/forward-owner.ts'), JSON.stringify({ remote, remotePort: server.port, localSocketPath })], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const line = await new Promise<string>((resolve) => owner.stdout.setEncoding('utf8').once('data', (data: string) => resolve(data)));
      const { localPort, remoteSocketPath } = JSON.parse(line) as { localPort: number; remoteSocketPath: string };
      expect(processesWith(`127.0.0.1:${localPort}:`)).toHaveLength(1);
      expect(processesWith(`${remoteSocketPath}:`)).toHaveLength(1);
      owner.kill('SIGKILL');
      // ssh's stdin reaches EOF, the remote loop ends, the session closes and ssh exits with it.
      expect(await eventually(() => processesWith(`127.0.0.1:${localPort}:`).length === 0 && processesWith(`${remoteSocketPath}:`).length === 0, 10_000)).toBe(true);
      expect(await connectable(localPort)).toBe(false);
      fs.rmSync(path.dirname(remoteSocketPath), { recursive: true, force: true }); // documented leftover
    } finally {
      owner.kill('SIGKILL');
      local.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('forwarding refused by the server (AllowTcpForwarding no, AllowStreamLocalForwarding no): a typed error, nothing left', async () => {
    const port = forwardPort('refusing', store, { remotePort: server.port, connectionPool: pool });
    await expect(port).rejects.toBeInstanceOf(SshForwardError);
    await expect(port).rejects.toMatchObject({ errorKind: 'forwarding-refused', hint: expect.stringMatching(/AllowTcpForwarding/) });

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swsock-'));
    const local = net.createServer().listen(path.join(dir, 'app.sock'));
    await new Promise((resolve) => local.once('listening', resolve));
    const before = fs.readdirSync('/tmp').filter((name) => name.startsWith('sshwrap-sock.'));
    try {
      const channel = forwardSocketToRemote('refusing', store, { localSocketPath: path.join(dir, 'app.sock'), connectionPool: pool });
      await expect(channel).rejects.toMatchObject({ errorKind: 'forwarding-refused', message: expect.stringMatching(/remote port forwarding failed/) });
      // The private directory made for it was removed again.
      expect(fs.readdirSync('/tmp').filter((name) => name.startsWith('sshwrap-sock.'))).toEqual(before);
    } finally {
      local.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(processesWith(`-p ${refusing.port}`)).toEqual([]);
  });
});

describe.skipIf(!tb)('terminal tabs: wrapInteractiveShell under a real pty', () => {
  const hasScript = fs.existsSync('/usr/bin/script');
  let cwd: string;
  beforeAll(() => {
    // A name with a space and a quote; readable by every test user.
    cwd = fs.mkdtempSync("/tmp/sw tab'");
    fs.chmodSync(cwd, 0o755);
  });
  afterAll(() => fs.rmSync(cwd, { recursive: true, force: true }));

  it.each(['bash', 'fish', 'tcsh'])('%s user: an interactive login shell on a pty, in cwd, with env', async (shell) => {
    if (!hasScript) return;
    const { remote } = remoteSetup(tb!, userFor(tb!, shell));
    const { command, args } = wrapInteractiveShell(parseSshRemoteConfig(remote), { cwd, env: { SW_TAB: 'tab value' } });
    expect(args.slice(0, 1)).toEqual(['-tt']);
    expect(args).toContain('RequestTTY=force');
    expect(args).toContain('ClearAllForwardings=yes');
    // util-linux script(1) gives the command a pty; stdin is what the user "types".
    const child = spawn('/usr/bin/script', ['-q', '-e', '-c', [command, ...args].map(quotePosix).join(' '), '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (data: string) => (out += data));
    child.stderr.setEncoding('utf8').on('data', (data: string) => (out += data));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    // tty(1) proves the pty; pwd the cwd; the quotes keep fish and tcsh happy alike.
    child.stdin.write('tty; pwd; echo "tab=$SW_TAB"\n');
    expect(await eventually(() => out.includes('tab=tab value') && out.includes(`\n${cwd}`), 20_000), out).toBe(true);
    expect(out).toMatch(/\/dev\/pts\/\d+/);
    child.stdin.write('exit\n');
    child.stdin.end();
    expect(await exited).toBe(0);
  });
});
