import net from 'node:net';
import { z } from 'zod';
import { SSH_FAILURE_HINTS } from '../classify/index.js';
import { resolveTarget, type FleetTarget } from '../fleet/targets.js';
import { defaultConnectionPool } from '../pool/index.js';
import type { SshRemoteStoreAdapter } from '../resolve/index.js';
import { assertKnownOptions, optionKeys } from '../schemas/index.js';
import { parseWith } from '../schemas/parse.js';
import { assertPosixRemote, connectionContext, startForwardConnection, type ForwardConnection, type ForwardConnectionContext } from './connection.js';
import { SshForwardError } from './error.js';
import { FORWARD_COMMON_KEYS, forwardCommonShape, type ForwardProcessOptions } from './options.js';
import { supervise } from './supervise.js';
import { freeLocalPort } from '../process/local-port.js';

const portNumber = (label: string) => z.number().int({ message: `${label}: a whole number` }).min(1, { message: `${label}: 1–65535` }).max(65535, { message: `${label}: 1–65535` });

/** The data options of {@link forwardPort} (the schema is the source of the type). @internal */
export const ForwardPortOptionsSchema = z.object({
  ...forwardCommonShape,
  /** Port on the remote side (as seen from the remote host). */
  remotePort: portNumber('remotePort'),
  /**
   * Host the remote side connects to, resolved on the remote. `127.0.0.1` (the default) reaches
   * servers that listen on the remote's loopback only (a dev server). @default '127.0.0.1'
   */
  remoteHost: z
    .string()
    .regex(/^(?!-)[A-Za-z0-9._:-]{1,253}$/, { message: 'remoteHost: a host name or IP address (letters, digits, ".", "-", ":"; not starting with "-")' })
    .optional(),
  /** Local port wished for; another free one is used when it is taken. @default a free port chosen by the OS */
  localPort: portNumber('localPort').optional(),
  /**
   * Check at setup that the server allows the forward (one connection through it, see
   * docs/forwarding.md). @default true
   */
  probe: z.boolean().optional(),
});

/**
 * Options of {@link forwardPort}.
 *
 * @example
 * ```ts
 * const options: ForwardPortOptions = { remotePort: 5173, localPort: 5173 };
 * ```
 */
export type ForwardPortOptions = z.input<typeof ForwardPortOptionsSchema> & ForwardProcessOptions;

const OPTION_KEYS = optionKeys<ForwardPortOptions>()({
  remotePort: true,
  remoteHost: true,
  localPort: true,
  probe: true,
  ...FORWARD_COMMON_KEYS,
});

/**
 * A live local port forward from {@link forwardPort}.
 *
 * @example
 * ```ts
 * const forward: PortForward = await forwardPort('gpu-1', store, { remotePort: 5173 });
 * await fetch(`http://127.0.0.1:${forward.localPort}/`);
 * await forward.close();
 * ```
 */
export interface PortForward {
  /** The local port (on 127.0.0.1) that reaches the remote port. Can change only if it was taken while the connection was being re-established. */
  readonly localPort: number;
  /** The forward works right now (its connection is up). */
  readonly connected: boolean;
  /** How many times the connection was re-established after it was lost. */
  readonly reconnects: number;
  /** Stops the forward: the local port refuses connections once this resolves. Idempotent; never rejects. */
  close(): Promise<void>;
}

// ssh's words for a local port that cannot be bound (channels.c, ssh.c `ssh_init_forwarding`).
const PORT_TAKEN = /Could not request local forwarding|Address already in use|bind \[[^\]]*\]:\d+: /i;
const PORT_ATTEMPTS = 5;
const PROBE_TIMEOUT_MS = 10_000;
/** Time for ssh to accept the probe connection and send its channel open before the round trip. */
const PROBE_SETTLE_MS = 100;

/**
 * Opens one connection through the forward and runs a session round trip after it: sshd
 * answers a `-L` channel it refuses ("administratively prohibited", `AllowTcpForwarding no`,
 * `PermitOpen`) at once and in order, so by the time the echo is back ssh has logged the refusal.
 */
async function refusedByServer(connection: ForwardConnection, port: number): Promise<boolean> {
  const socket = net.connect(port, '127.0.0.1');
  try {
    const connected = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(true));
      socket.once('error', () => resolve(false));
    });
    if (!connected) return false;
    await new Promise((resolve) => setTimeout(resolve, PROBE_SETTLE_MS));
    await connection.roundTrip('probe', PROBE_TIMEOUT_MS);
    return /open failed: administratively prohibited/i.test(connection.stderr());
  } finally {
    socket.destroy();
  }
}

/**
 * Makes a port of the remote reachable on a local port: connections to `127.0.0.1:<localPort>`
 * reach `<remoteHost>:<remotePort>` as seen from the remote (ssh(1) `-L`). For a dev server an
 * agent started on the remote, a database on the remote's loopback, …
 *
 * - **Its own connection** (`ssh -N`-like, with `-L 127.0.0.1:<local>:<host>:<port>`), not
 *   `ssh -O forward` on a pooled master: a ControlPersist master does not count a listener as
 *   activity (channels.c `channel_still_open` skips `PORT_LISTENER`), so it would exit
 *   `persistSeconds` after the last run and take the forward with it, and a forward in a master
 *   shared with runs would be lost whenever the pool replaces that master. Command runs keep
 *   `ClearAllForwardings=yes`; only this connection turns forwarding on (see `FORWARD_SSH_OPTIONS`).
 * - **Local port**: `localPort` if free, else (and by default) one the OS picks. A port taken by
 *   another process is detected by ssh itself: with `ExitOnForwardFailure=yes` it exits 255
 *   with "bind [127.0.0.1]:<port>: Address already in use" / "Could not request local
 *   forwarding.", and another port is tried (up to 5). Bound to 127.0.0.1 only.
 * - **Re-established**: when the connection drops (network, sshd restart, the ssh process
 *   killed), it is started again on the same local port after 200 ms, backing off to 5 s, until
 *   `close()`.
 * - **Refused**: sshd refuses a `-L` forward only when a connection is made through it, so
 *   at setup one connection is made (`probe: false` skips it; it reaches the remote port, which
 *   sees a connection open and close). `AllowTcpForwarding no` then rejects with
 *   `SshForwardError` `errorKind: 'forwarding-refused'`.
 * - Closed by `close()` and by `closeAll()` of the pool (`connectionPool`, default the default pool).
 *
 * @param target a remote id (looked up in `store`) or a remote config.
 * @param store where remote ids are looked up.
 * @param options `remotePort` (required), `remoteHost` (default `'127.0.0.1'`), `localPort`,
 *   `probe` (default true), `timeoutMs` (setup bound per attempt, default 30 000 ms), `sshPath`,
 *   `sshConfigFile`, `allowUnsafeOptions`, `executor`, `env`, `connectionPool`.
 * @returns the live forward.
 * @throws {SshWrapError} `INVALID_CONFIG` / `UNSAFE_ARGUMENT` for bad options (unknown keys
 *   included) or remote (a Windows remote too), `REMOTE_NOT_FOUND` for an unknown id; nothing is spawned then.
 * @throws {SshForwardError} when the forward could not be set up: `forwarding-refused`,
 *   `auth-failed`, `connection-refused`, `timeout`, … (see `SSH_FAILURE_KINDS`).
 * @example
 * ```ts
 * const forward = await forwardPort('gpu-1', store, { remotePort: 5173, localPort: 5173 });
 * console.log(`dev server on http://127.0.0.1:${forward.localPort}/`);
 * // …
 * await forward.close(); // or closeAll() on shutdown
 * ```
 */
export async function forwardPort(target: FleetTarget, store: SshRemoteStoreAdapter, options: ForwardPortOptions): Promise<PortForward> {
  assertKnownOptions(options, OPTION_KEYS, 'forwardPort options');
  const { executor, env, connectionPool, ...data } = options;
  const parsed = parseWith(ForwardPortOptionsSchema, data, 'forwardPort options');
  const { remote } = await resolveTarget(target, store);
  assertPosixRemote(remote, 'forwardPort');
  const context: ForwardConnectionContext = connectionContext({ ...parsed, executor, env });
  const remoteHost = parsed.remoteHost ?? '127.0.0.1';
  const timeoutMs = parsed.timeoutMs ?? 30_000;
  let localPort = parsed.localPort ?? (await freeLocalPort());

  const establish = async (): Promise<ForwardConnection> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await startForwardConnection(remote, [{ kind: 'local-tcp', localPort, remoteHost, remotePort: parsed.remotePort }], context, { timeoutMs });
      } catch (error) {
        if (!(error instanceof SshForwardError) || !PORT_TAKEN.test(error.stderr) || attempt >= PORT_ATTEMPTS) throw error;
        localPort = await freeLocalPort();
      }
    }
  };

  const first = await establish();
  if (parsed.probe !== false && (await refusedByServer(first, localPort))) {
    await first.stop();
    const line = /^.*open failed: administratively prohibited.*$/im.exec(first.stderr())?.[0]?.trim();
    throw new SshForwardError('forwarding-refused', `SSH server refused the forwarding: ${line ?? 'administratively prohibited'}`, {
      hint: SSH_FAILURE_HINTS['forwarding-refused'],
      stderr: first.stderr(),
    });
  }
  const supervisor = supervise(first, establish);
  const pool = connectionPool ?? defaultConnectionPool;
  let unregister = (): void => undefined;
  const close = async (): Promise<void> => {
    unregister();
    await supervisor.close();
  };
  unregister = pool.register({ close });
  return {
    get localPort() {
      return localPort;
    },
    get connected() {
      return supervisor.connected;
    },
    get reconnects() {
      return supervisor.reconnects;
    },
    close,
  };
}
