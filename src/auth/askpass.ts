import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshWrapError } from '../errors/index.js';
import { assertKnownOptions, optionKeys } from '../schemas/index.js';
import { askpassLauncher, ASKPASS_CLIENT_SOURCE } from './helper-script.js';

/**
 * One question from ssh, e.g. `Enter passphrase for key '/home/me/.ssh/id_ed25519': `.
 *
 * @example
 * ```ts
 * const request: AskpassRequest = { prompt: "Enter passphrase for key '/home/me/.ssh/id_ed25519': " };
 * ```
 */
export interface AskpassRequest {
  prompt: string;
}

/**
 * Options for {@link createAskpass}.
 *
 * @example
 * ```ts
 * const options: AskpassOptions = { onPrompt: async ({ prompt }) => (prompt.includes('passphrase') ? await askUser(prompt) : null) };
 * ```
 */
export interface AskpassOptions {
  /**
   * Answers ssh's prompt: the passphrase (or password), or `null` to refuse (ssh then fails
   * with `auth-failed` / `passphrase-required`). Called once per prompt.
   */
  onPrompt: (request: AskpassRequest) => string | null | Promise<string | null>;
  /** How long ssh may wait for `onPrompt`. @default 120000 */
  timeoutMs?: number;
  /** Platform override, for tests. @default process.platform */
  platform?: NodeJS.Platform;
}

const ASKPASS_OPTION_KEYS = optionKeys<AskpassOptions>()({ onPrompt: true, timeoutMs: true, platform: true });

/**
 * A running askpass bridge; pass `env` to the ssh process and `sshOptions` as managed options.
 *
 * @example
 * ```ts
 * const askpass: Askpass = await createAskpass({ onPrompt: async () => promptUserForPassphrase() });
 * await askpass.close();
 * ```
 */
export interface Askpass {
  /** `SSH_ASKPASS`, `SSH_ASKPASS_REQUIRE=force` and the bridge's socket/token, for ssh's environment. */
  readonly env: Readonly<Record<string, string>>;
  /** `BatchMode=no` so ssh may ask at all; everything else keeps its default. */
  readonly sshOptions: Readonly<Record<string, string>>;
  /** Stops answering and removes the helper, socket and directory. */
  close(): Promise<void>;
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Lets an app answer ssh's passphrase/password prompts (an Electron dialog, a keychain lookup)
 * without storing the secret anywhere or putting it on a command line. Writes a tiny helper
 * (mode 0700, in a fresh 0700 directory) that ssh runs as SSH_ASKPASS; the helper asks this
 * process over a unix socket that only the same user can reach, guarded by a random token.
 *
 * BatchMode stays the library default everywhere else; only runs given this askpass may prompt.
 *
 * @throws {SshWrapError} `INVALID_CONFIG` on Windows (ssh.exe needs a native SSH_ASKPASS program).
 * @example
 * ```ts
 * const askpass = await createAskpass({ onPrompt: ({ prompt }) => dialog.askPassword(prompt) });
 * try {
 *   await runWithSsh(config, agentSsh, store, { askpass });
 * } finally {
 *   await askpass.close();
 * }
 * ```
 */
export async function createAskpass(options: AskpassOptions): Promise<Askpass> {
  assertKnownOptions(options, ASKPASS_OPTION_KEYS, 'createAskpass options');
  if ((options.platform ?? process.platform) === 'win32') {
    throw new SshWrapError('INVALID_CONFIG', 'createAskpass is not available on Windows', {
      hint: 'Load the key into the Windows ssh-agent service (ssh-add) instead.',
    });
  }
  const timeoutMs = options.timeoutMs ?? 120_000;
  const dir = mkdtempSync(join(tmpdir(), 'sshwrap-askpass-'));
  chmodSync(dir, 0o700);
  const token = randomBytes(24).toString('hex');
  const socketPath = join(dir, 's');
  const clientPath = join(dir, 'client.cjs');
  const launcherPath = join(dir, 'askpass');
  writeFileSync(clientPath, ASKPASS_CLIENT_SOURCE, { mode: 0o600 });
  writeFileSync(launcherPath, askpassLauncher(process.execPath, clientPath), { mode: 0o700 });

  // allowHalfOpen: the helper ends its side after sending the prompt; the answer goes back after that.
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    let request = '';
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.on('error', () => undefined);
    socket.on('data', (chunk: string) => {
      request += chunk;
      if (request.length > 64 * 1024) socket.destroy();
    });
    socket.on('end', () => {
      void (async () => {
        let answer: string | null = null;
        try {
          const parsed = JSON.parse(request) as { token?: unknown; prompt?: unknown };
          if (typeof parsed.token === 'string' && sameToken(parsed.token, token)) {
            answer = await options.onPrompt({ prompt: typeof parsed.prompt === 'string' ? parsed.prompt : '' });
          }
        } catch {
          answer = null;
        }
        socket.end(JSON.stringify({ answer: typeof answer === 'string' ? answer : null }));
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  chmodSync(socketPath, 0o600);
  server.unref();

  let closed = false;
  return {
    env: Object.freeze({
      SSH_ASKPASS: launcherPath,
      SSH_ASKPASS_REQUIRE: 'force',
      // Some ssh builds still want DISPLAY set before they consider SSH_ASKPASS at all.
      DISPLAY: process.env.DISPLAY ?? 'sshwrap:0',
      SSHWRAP_ASKPASS_SOCKET: socketPath,
      SSHWRAP_ASKPASS_TOKEN: token,
    }),
    sshOptions: Object.freeze({ BatchMode: 'no' }),
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * An askpass that answers key-passphrase prompts with a passphrase the app already holds (e.g.
 * `remote.passphrase` loaded from the OS keychain) and refuses every other prompt (passwords).
 *
 * @example
 * ```ts
 * const askpass = await passphraseAskpass(await keytar.getPassword('sshwrap', remote.id));
 * ```
 */
export function passphraseAskpass(passphrase: string, options: Omit<AskpassOptions, 'onPrompt'> = {}): Promise<Askpass> {
  return createAskpass({ ...options, onPrompt: ({ prompt }) => (/passphrase/i.test(prompt) ? passphrase : null) });
}
