import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { classifySshFailure } from '../classify/index.js';
import { SshWrapError } from '../errors/index.js';
import { resolveTarget, type FleetTarget } from '../fleet/targets.js';
import { defaultConnectionPool } from '../pool/index.js';
import { runCommand } from '../process/run-command.js';
import type { SshRemoteStoreAdapter } from '../resolve/index.js';
import { assertKnownOptions, optionKeys, type SshRemoteConfig } from '../schemas/index.js';
import { noNul } from '../schemas/fields.js';
import { parseWith } from '../schemas/parse.js';
import { anyShellCommand, buildSshArgs } from '../wrap/index.js';
import { quotePosix } from '../quoting/index.js';
import { assertPosixRemote, connectionContext, startForwardConnection, type ForwardConnectionContext } from './connection.js';
import { SshForwardError } from './error.js';
import { FORWARD_COMMON_KEYS, forwardCommonShape, type ForwardProcessOptions } from './options.js';
import { supervise } from './supervise.js';

/** The data options of {@link forwardSocketToRemote}. @internal */
export const ForwardSocketOptionsSchema = z.object({
  ...forwardCommonShape,
  /**
   * Absolute path of the local unix socket the remote side reaches (your app listens on it).
   * No `:` (ssh(1) splits the `-R` argument on it).
   */
  localSocketPath: noNul('localSocketPath').refine((value) => value.startsWith('/') && !value.includes(':') && !/[\r\n]/.test(value), {
    message: 'localSocketPath: an absolute path without ":" or newlines',
  }),
});

/**
 * Options of {@link forwardSocketToRemote}.
 *
 * @example
 * ```ts
 * const options: ForwardSocketOptions = { localSocketPath: '/run/user/1000/myapp/hooks.sock' };
 * ```
 */
export type ForwardSocketOptions = z.input<typeof ForwardSocketOptionsSchema> & ForwardProcessOptions;

const OPTION_KEYS = optionKeys<ForwardSocketOptions>()({
  localSocketPath: true,
  ...FORWARD_COMMON_KEYS,
});

/**
 * A live reverse socket from {@link forwardSocketToRemote}.
 *
 * @example
 * ```ts
 * const channel: SocketForward = await forwardSocketToRemote('gpu-1', store, { localSocketPath });
 * await runWithSsh(config, agentSsh, store, { ...options, remoteEnv: { MYAPP_SOCKET: channel.remoteSocketPath } });
 * ```
 */
export interface SocketForward {
  /** The unix socket on the remote (in a private 0700 directory) that reaches `localSocketPath`. */
  readonly remoteSocketPath: string;
  /** The forward works right now. */
  readonly connected: boolean;
  /** How many times the connection was re-established after it was lost. */
  readonly reconnects: number;
  /** Stops the forward and removes the remote directory. Idempotent; never rejects. */
  close(): Promise<void>;
}

// What `mktemp -d` under /tmp prints; anything else is refused before it reaches an ssh argument.
const REMOTE_DIR = /^\/tmp\/sshwrap-sock\.[A-Za-z0-9]+$/;
const HELPER_TIMEOUT_MS = 30_000;
const CLOSE_TIMEOUT_MS = 5_000;

/** One short command on the remote over its own connection (no forwarding), via the run transport. */
async function remoteHelper(remote: SshRemoteConfig, context: ForwardConnectionContext, script: string, timeoutMs: number) {
  const args = buildSshArgs(remote, anyShellCommand(script), {
    ...(context.sshConfigFile ? { configFile: context.sshConfigFile } : {}),
    ...(context.allowUnsafeOptions ? { allowUnsafeOptions: context.allowUnsafeOptions } : {}),
    sshPath: context.sshPath,
  });
  return runCommand(context.executor, context.sshPath, args, { timeoutMs, env: context.env });
}

/** Creates the private directory: `mktemp -d` makes it 0700 (mktemp(1)), owned by the remote user. */
async function makeRemoteDir(remote: SshRemoteConfig, context: ForwardConnectionContext, timeoutMs: number): Promise<string> {
  const token = `sw${randomBytes(8).toString('hex')}`;
  // /tmp, not $TMPDIR: a unix socket path must stay under ~104 bytes (sockaddr_un).
  const result = await remoteHelper(remote, context, `__sw_d=$(mktemp -d /tmp/sshwrap-sock.XXXXXXXXXX) || exit 1\nprintf '%s\\n' "${token}:$__sw_d"`, timeoutMs);
  const dir = result.stdout
    .split('\n')
    .find((line) => line.startsWith(`${token}:`))
    ?.slice(token.length + 1);
  if (result.code === 0 && dir && REMOTE_DIR.test(dir)) return dir;
  const failure = classifySshFailure({ exitCode: result.code, stderr: result.stderr });
  throw new SshForwardError(failure.kind, `could not create the remote socket directory: ${failure.message}`, { hint: failure.hint, stderr: result.stderr });
}

/**
 * A channel back from the remote to the app: a unix socket on the remote, in a private directory
 * (mode 0700, from `mktemp -d`), whose connections reach the local unix socket `localSocketPath`
 * (ssh(1) `-R remote_socket:local_socket`). Hand `remoteSocketPath` to a run in its env so the
 * agent's hooks, MCP clients or approval prompts can talk to the app.
 *
 * - Two connections: `mktemp -d` first (the path must be on the `-R` argument), then the
 *   forwarding connection (its own, like {@link forwardPort}; command runs keep
 *   `ClearAllForwardings=yes`). `StreamLocalBindUnlink=yes` is asked for; sshd applies its own
 *   setting (sshd_config(5)), so before re-establishing a dropped connection the stale socket file
 *   is removed over a short extra connection.
 * - Only the remote user (and root) can use the socket: the 0700 directory is the access check,
 *   and sshd creates the socket with `StreamLocalBindMask` (default 0177, i.e. mode 0600;
 *   sshd_config(5)).
 * - Refused: `AllowStreamLocalForwarding no` (or `all`/`local` without `remote`) makes ssh exit
 *   ("Error: remote port forwarding failed for listen path …", `ExitOnForwardFailure=yes`):
 *   `SshForwardError` `forwarding-refused`, and the directory is removed.
 * - `close()` (and the pool's `closeAll()`) stops it and removes the directory over the same
 *   connection. If this process dies without closing, the directory and a dead socket stay in
 *   the remote's /tmp (private, tiny) until the tmp cleaner removes them.
 *
 * @param target a remote id (looked up in `store`) or a remote config.
 * @param store where remote ids are looked up.
 * @param options `localSocketPath` (required, must be a listening unix socket), `timeoutMs`
 *   (per connection, default 30 000 ms), `sshPath`, `sshConfigFile`, `allowUnsafeOptions`,
 *   `executor`, `env`, `connectionPool`.
 * @returns the live forward with `remoteSocketPath`.
 * @throws {SshWrapError} `INVALID_CONFIG` for bad options, a `localSocketPath` that is not a unix
 *   socket, or a bad or Windows remote (nothing spawned); `REMOTE_NOT_FOUND` for an unknown id.
 * @throws {SshForwardError} `forwarding-refused`, `auth-failed`, … when it could not be set up.
 * @example
 * ```ts
 * const server = net.createServer(onHookConnection).listen('/run/user/1000/myapp/hooks.sock');
 * const channel = await forwardSocketToRemote('gpu-1', store, { localSocketPath: '/run/user/1000/myapp/hooks.sock' });
 * await runWithSsh(config, agentSsh, store, { remoteEnv: { MYAPP_HOOK_SOCKET: channel.remoteSocketPath } });
 * await channel.close();
 * ```
 */
export async function forwardSocketToRemote(target: FleetTarget, store: SshRemoteStoreAdapter, options: ForwardSocketOptions): Promise<SocketForward> {
  assertKnownOptions(options, OPTION_KEYS, 'forwardSocketToRemote options');
  const { executor, env, connectionPool, ...data } = options;
  const parsed = parseWith(ForwardSocketOptionsSchema, data, 'forwardSocketToRemote options');
  let isSocket = false;
  try {
    isSocket = fs.statSync(parsed.localSocketPath).isSocket();
  } catch {
    // missing: refused below
  }
  if (!isSocket) {
    throw new SshWrapError('INVALID_CONFIG', `localSocketPath ${parsed.localSocketPath} is not a unix socket`, {
      field: 'localSocketPath',
      hint: 'Start your server on it first (net.createServer().listen(path)).',
    });
  }
  const { remote } = await resolveTarget(target, store);
  assertPosixRemote(remote, 'forwardSocketToRemote');
  const context = connectionContext({ ...parsed, executor, env });
  const timeoutMs = parsed.timeoutMs ?? 30_000;
  const dir = await makeRemoteDir(remote, context, timeoutMs);
  const remoteSocketPath = path.posix.join(dir, 's');
  const forward = [{ kind: 'remote-socket' as const, remoteSocketPath, localSocketPath: parsed.localSocketPath }];
  const script = {
    // The socket must be there when `ready` is printed (sshd bound it before opening the session).
    before: [`[ -S ${quotePosix(remoteSocketPath)} ] || exit 3`],
    after: [`rm -rf -- ${quotePosix(dir)}`],
    timeoutMs,
  };
  const removeDir = (): Promise<unknown> => remoteHelper(remote, context, `rm -rf -- ${quotePosix(dir)}`, HELPER_TIMEOUT_MS);

  let first;
  try {
    first = await startForwardConnection(remote, forward, context, script);
  } catch (error) {
    await removeDir();
    throw error;
  }
  const supervisor = supervise(first, async () => {
    // sshd's own StreamLocalBindUnlink (default no) decides whether a stale socket blocks the bind.
    await remoteHelper(remote, context, `rm -f -- ${quotePosix(remoteSocketPath)}`, timeoutMs);
    return startForwardConnection(remote, forward, context, script);
  });
  const pool = connectionPool ?? defaultConnectionPool;
  let unregister = (): void => undefined;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      unregister();
      let removed = false;
      await supervisor.close(async (connection) => {
        removed = await connection.finish(CLOSE_TIMEOUT_MS);
      });
      if (!removed) await removeDir();
    })();
    return closing;
  };
  unregister = pool.register({ close });
  return {
    remoteSocketPath,
    get connected() {
      return supervisor.connected;
    },
    get reconnects() {
      return supervisor.reconnects;
    },
    close,
  };
}
