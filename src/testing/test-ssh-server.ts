import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SshWrapError } from '../errors/index.js';
import { nodeExecutor, type ChildProcessLike } from '../process/executor.js';
import { freeLocalPort } from '../process/local-port.js';
import { runCommand } from '../process/run-command.js';
import { createMemoryStoreAdapter, type SshRemoteStoreAdapter } from '../resolve/index.js';
import { parseSshRemoteConfig, type SshRemoteConfig } from '../schemas/index.js';

/**
 * Options of {@link startTestSshServer}.
 *
 * @example
 * ```ts
 * const options: TestSshServerOptions = { id: 'ci', sshdConfig: ['MaxSessions 64'] };
 * ```
 */
export interface TestSshServerOptions {
  /** The `id` of the returned remote (and its store entry). @default 'test-ssh-server' */
  id?: string;
  /** Port on 127.0.0.1. @default a free port picked by the kernel (retried when taken meanwhile) */
  port?: number;
  /**
   * sshd binary, by absolute path: sshd re-executes itself from it and refuses a relative one
   * (sshd(8), "sshd re-exec requires execution with an absolute path").
   * @default the first of /usr/sbin/sshd, /usr/local/sbin/sshd, /opt/homebrew/sbin/sshd,
   *   /usr/local/opt/openssh/sbin/sshd that exists
   */
  sshdPath?: string;
  /**
   * Extra sshd_config(5) lines, written first: sshd keeps the first value of a keyword, so these
   * win over the defaults (e.g. `'MaxSessions 64'`, `'AllowTcpForwarding no'`).
   * @default []
   */
  sshdConfig?: readonly string[];
  /** How long sshd may take to accept connections, in ms. @default 10000 */
  startTimeoutMs?: number;
}

/**
 * A running throwaway OpenSSH server, from {@link startTestSshServer}.
 *
 * @example
 * ```ts
 * const server: TestSshServer = await startTestSshServer();
 * await runWithSsh({ command: 'uname', args: [], cwd: '~' }, server.agentSsh, server.store);
 * await server.stop();
 * ```
 */
export interface TestSshServer {
  /** The remote for the current user: its own key, a known_hosts file holding the server's key, `hostKeyPolicy: 'strict'`. */
  remote: SshRemoteConfig;
  /** A memory store holding {@link remote}. */
  store: SshRemoteStoreAdapter;
  /** `{ enabled: true, remoteId: remote.id }`, ready for the runners. */
  agentSsh: { enabled: true; remoteId: string };
  /** The port sshd listens on (127.0.0.1 only). */
  port: number;
  /** The server's public host key, one known_hosts key field (`ssh-ed25519 AAAA…`). */
  hostPublicKey: string;
  /** sshd's log (LogLevel VERBOSE): what to read when a test fails to connect. */
  logFile: string;
  /** Stops sshd and every session it still serves, then removes its files. Idempotent. */
  stop(): Promise<void>;
}

const SSHD_CANDIDATES = ['/usr/sbin/sshd', '/usr/local/sbin/sshd', '/opt/homebrew/sbin/sshd', '/usr/local/opt/openssh/sbin/sshd'];
const INSTALL_HINT =
  'Install the OpenSSH server: Debian/Ubuntu `apt-get install openssh-server`, Fedora/RHEL `dnf install openssh-server`, ' +
  'Alpine `apk add openssh-server`, Arch `pacman -S openssh`, macOS: built in (/usr/sbin/sshd). Or pass `sshdPath`.';
const PORT_ATTEMPTS = 5;
const HELPER_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 3_000;

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function findSshd(explicit: string | undefined): string {
  if (explicit !== undefined) {
    if (!path.isAbsolute(explicit)) throw new SshWrapError('INVALID_CONFIG', `sshdPath must be absolute (sshd re-executes itself from it): ${explicit}`, { field: 'sshdPath' });
    if (!executable(explicit)) throw new SshWrapError('SPAWN_FAILED', `sshd not found or not executable at ${explicit}`, { field: 'sshdPath', hint: INSTALL_HINT });
    return explicit;
  }
  const found = SSHD_CANDIDATES.find(executable);
  if (!found) throw new SshWrapError('SPAWN_FAILED', `No OpenSSH server (sshd) found; looked in ${SSHD_CANDIDATES.join(', ')}`, { hint: INSTALL_HINT });
  return found;
}

async function helper(command: string, args: readonly string[]): Promise<string> {
  const result = await runCommand(nodeExecutor, command, args, { timeoutMs: HELPER_TIMEOUT_MS, cwd: os.tmpdir() });
  if (result.spawnError) throw new SshWrapError('SPAWN_FAILED', `${command} could not be started: ${result.spawnError.message}`, { hint: INSTALL_HINT, cause: result.spawnError });
  if (result.code !== 0) throw new SshWrapError('SPAWN_FAILED', `${command} ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`);
  return result.stdout;
}

async function newKey(file: string, comment: string): Promise<string> {
  await helper('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  return fs.readFileSync(`${file}.pub`, 'utf8').trim();
}

/** OpenSSH 9.8 added PerSourcePenalties, which would lock 127.0.0.1 out after a test's failed logins. */
async function hasPenalties(sshd: string): Promise<boolean> {
  // `sshd -V` prints the version on stderr (and exits non-zero before 9.x's -V).
  const result = await runCommand(nodeExecutor, sshd, ['-V'], { timeoutMs: HELPER_TIMEOUT_MS, cwd: os.tmpdir() });
  const match = /OpenSSH_(\d+)\.(\d+)/.exec(result.stderr + result.stdout);
  return match !== null && (Number(match[1]) > 9 || (Number(match[1]) === 9 && Number(match[2]) >= 8));
}

/** Whether something accepts TCP connections on 127.0.0.1:`port` (sshd is up). @internal */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function exited(child: ChildProcessLike): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** The pids below `root`, from `ps` (Linux and macOS alike): sshd's per-connection processes. */
async function descendantsOf(root: number): Promise<number[]> {
  const result = await runCommand(nodeExecutor, 'ps', ['-A', '-o', 'pid=', '-o', 'ppid='], { timeoutMs: HELPER_TIMEOUT_MS, cwd: os.tmpdir(), maxCaptureChars: 4 * 1024 * 1024 });
  const children = new Map<number, number[]>();
  for (const line of result.stdout.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (!pid || ppid === undefined || Number.isNaN(ppid)) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const found: number[] = [];
  // Bounded: a process table has finitely many entries and each is visited once.
  for (let queue = [root]; queue.length > 0 && found.length < 100_000; ) {
    const next = children.get(queue.shift()!) ?? [];
    found.push(...next);
    queue = queue.concat(next);
  }
  return found;
}

function signal(pids: readonly number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  }
}

function renderConfig(input: { extra: readonly string[]; port: number; dir: string; user: string; penalties: boolean }): string {
  return [
    // sshd keeps the first value of each keyword: the caller's lines go first.
    ...input.extra,
    'ListenAddress 127.0.0.1',
    `Port ${input.port}`,
    `HostKey ${path.join(input.dir, 'host_ed25519')}`,
    `PidFile ${path.join(input.dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${path.join(input.dir, 'authorized_keys')}`,
    `AllowUsers ${input.user}`,
    // Not root: no PAM session, and the temp dir's modes are the test's business.
    'UsePAM no',
    'StrictModes no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'LogLevel VERBOSE',
    // Sessions stay byte-clean: a test sees only what its command printed.
    'PrintMotd no',
    'PrintLastLog no',
    'Subsystem sftp internal-sftp',
    ...(input.penalties ? ['PerSourcePenalties no'] : []),
    '',
  ].join('\n');
}

/**
 * Starts a throwaway OpenSSH server on 127.0.0.1 for the **current user** (no root needed): its
 * own host key, client key, authorized_keys and known_hosts in a private temp directory, on a
 * free port. The same mechanism as `npm run demo`. For an app's own CI: test its sshwrap
 * integration against a real sshd, then `stop()`.
 *
 * sshd runs as the current user, so it can only log in that user (sshd(8): a non-root sshd cannot
 * change user). Logins get the user's real login shell and home; its startup files run as usual.
 * POSIX only (Linux, macOS); the OpenSSH server must be installed.
 *
 * @throws {SshWrapError} `SPAWN_FAILED` when sshd or ssh-keygen is missing (the hint says what to
 *   install per OS) or sshd does not accept connections within `startTimeoutMs` (the message
 *   quotes its log); `INVALID_CONFIG` for a relative `sshdPath`, a Windows host or a bad option.
 * @example
 * ```ts
 * import { runWithSsh } from 'sshwrap';
 * import { startTestSshServer } from 'sshwrap/testing';
 *
 * const server = await startTestSshServer();
 * try {
 *   const result = await runWithSsh({ command: 'echo', args: ['hi'], cwd: '~' }, server.agentSsh, server.store);
 *   console.log(result.stdout); // 'hi\n'
 * } finally {
 *   await server.stop();
 * }
 * ```
 */
export async function startTestSshServer(options: TestSshServerOptions = {}): Promise<TestSshServer> {
  const known = new Set(['id', 'port', 'sshdPath', 'sshdConfig', 'startTimeoutMs']);
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new SshWrapError('INVALID_CONFIG', `Unknown startTestSshServer option "${key}"`, { field: key });
  }
  if (process.platform === 'win32') throw new SshWrapError('INVALID_CONFIG', 'startTestSshServer needs a POSIX host (Linux or macOS)');
  for (const line of options.sshdConfig ?? []) {
    if (typeof line !== 'string' || /[\r\n\0]/.test(line)) throw new SshWrapError('INVALID_CONFIG', 'sshdConfig entries are single lines', { field: 'sshdConfig' });
  }
  const sshd = findSshd(options.sshdPath);
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const user = os.userInfo().username;
  // As root sshd wants its privilege-separation directory (normally made by the system's unit).
  if (process.getuid?.() === 0) fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sshwrap-test-server-'));
  let child: ChildProcessLike | undefined;
  const killOnExit = (): void => {
    if (child?.pid !== undefined && !exited(child)) signal([child.pid], 'SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);
  try {
    const [hostPublicKey, clientPublicKey, penalties] = await Promise.all([
      newKey(path.join(dir, 'host_ed25519'), 'sshwrap-test-server-host'),
      newKey(path.join(dir, 'client_ed25519'), 'sshwrap-test-server-client'),
      hasPenalties(sshd),
    ]);
    fs.writeFileSync(path.join(dir, 'authorized_keys'), `${clientPublicKey}\n`, { mode: 0o600 });
    const logFile = path.join(dir, 'sshd.log');
    let port = 0;
    for (let attempt = 1; attempt <= PORT_ATTEMPTS && child === undefined; attempt++) {
      port = options.port ?? (await freeLocalPort());
      fs.writeFileSync(path.join(dir, 'sshd_config'), renderConfig({ extra: options.sshdConfig ?? [], port, dir, user, penalties }), { mode: 0o600 });
      fs.writeFileSync(logFile, '');
      const started = nodeExecutor.spawn(sshd, ['-D', '-f', path.join(dir, 'sshd_config'), '-E', logFile], { cwd: dir });
      started.stdin?.destroy();
      started.stdout?.resume();
      started.stderr?.resume();
      started.on('error', () => {});
      const deadline = Date.now() + startTimeoutMs;
      // Bounded by the deadline; each turn waits 50 ms.
      while (Date.now() < deadline && !exited(started) && !(await accepts(port))) await new Promise((resolve) => setTimeout(resolve, 50));
      if (!exited(started) && (await accepts(port))) {
        child = started;
        break;
      }
      started.kill('SIGKILL');
      const log = fs.readFileSync(logFile, 'utf8');
      const taken = /Address already in use/.test(log);
      if (!taken || options.port !== undefined || attempt === PORT_ATTEMPTS) {
        throw new SshWrapError('SPAWN_FAILED', `sshd did not accept connections on 127.0.0.1:${port} within ${startTimeoutMs} ms: ${log.trim().split('\n').slice(-5).join(' | ')}`, {
          hint: 'Read the sshd log above; a port in use, a missing /run/sshd (when run as root) or a policy forbidding the user are the usual causes.',
        });
      }
    }
    const knownHostsFile = path.join(dir, 'known_hosts');
    fs.writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${hostPublicKey.split(' ').slice(0, 2).join(' ')}\n`, { mode: 0o600 });
    const remote = parseSshRemoteConfig({
      id: options.id ?? 'test-ssh-server',
      name: 'sshwrap test server',
      host: '127.0.0.1',
      port,
      username: user,
      privateKeyPath: path.join(dir, 'client_ed25519'),
      hostKeyPolicy: 'strict',
      knownHostsFile,
      // Only this server's key counts: a stale global entry for the port must not interfere.
      customOptions: { GlobalKnownHostsFile: '/dev/null' },
    });
    let stopping: Promise<void> | undefined;
    const running = child!;
    return {
      remote,
      store: createMemoryStoreAdapter([remote]),
      agentSsh: { enabled: true, remoteId: remote.id },
      port,
      hostPublicKey: hostPublicKey.split(' ').slice(0, 2).join(' '),
      logFile,
      stop: () => (stopping ??= stop(running, dir, killOnExit)),
    };
  } catch (error) {
    process.off('exit', killOnExit);
    killOnExit();
    throw error;
  }
}

async function stop(child: ChildProcessLike, dir: string, killOnExit: () => void): Promise<void> {
  try {
    const pid = child.pid!;
    // Per-connection sshd processes outlive the listener: they go first, then it.
    const sessions = exited(child) ? [] : await descendantsOf(pid);
    signal(sessions, 'SIGTERM');
    if (!exited(child)) {
      const gone = new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        if (exited(child)) resolve();
      });
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await gone;
      clearTimeout(timer);
    }
    signal(sessions, 'SIGKILL');
  } finally {
    process.off('exit', killOnExit);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
