import type { RemoteScriptEvent } from '../wrap/index.js';
import { SSH_FAILURE_HINTS, type SshFailureKind } from './kinds.js';
import { SSH_STDERR_PATTERNS } from './patterns.js';

/**
 * What {@link classifySshFailure} looks at.
 *
 * @example
 * ```ts
 * const input: SshFailureInput = { exitCode: 255, stderr: sshOwnStderr, markers: ['pid', 'cwd-missing'] };
 * ```
 */
export interface SshFailureInput {
  /** ssh's exit status (`255` for its own failures), `null` when it died by a signal. */
  exitCode: number | null;
  /**
   * ssh's own stderr: what came before the remote script's first status marker. Never pass the
   * remote command's output: an agent replying "permission denied" is not an ssh failure.
   */
  stderr: string;
  /**
   * Status-marker events seen on stderr (see `WrapSpawnOptions.statusMarker`), or `undefined`
   * when the run had no markers. Markers outrank text: once `pid` was seen, the connection and
   * authentication worked, so ssh's text patterns are not consulted.
   */
  markers?: Iterable<RemoteScriptEvent> | undefined;
  /**
   * Whether the private key used is encrypted. Under `BatchMode=yes` ssh prints only
   * "Permission denied (publickey)" for an encrypted key it cannot unlock, even at `-v`, so
   * the caller (who can read the key file) supplies this to tell `passphrase-required` apart.
   */
  keyEncrypted?: boolean | undefined;
}

/**
 * A classified failure: machine-readable kind, one-line message, and what to do.
 *
 * @example
 * ```ts
 * const { kind, message, hint }: SshFailure = classifySshFailure({ exitCode: 255, stderr });
 * ```
 */
export interface SshFailure {
  kind: SshFailureKind;
  /** One line naming the failure, quoting ssh's own line when there is one. */
  message: string;
  /** What to do about it (from {@link SSH_FAILURE_HINTS}). */
  hint: string;
}

const TITLES: Record<SshFailureKind, string> = {
  'auth-failed': 'SSH authentication failed',
  'host-key-changed': 'SSH host key verification failed',
  'host-key-unknown': 'SSH host key unknown',
  'connection-refused': 'SSH connection refused',
  timeout: 'SSH connection timed out',
  'host-unreachable': 'SSH host unreachable',
  dns: 'SSH host name could not be resolved',
  'connection-closed': 'SSH connection closed during the handshake',
  'key-unreadable': 'SSH private key could not be loaded',
  'forwarding-refused': 'SSH server refused the forwarding',
  'agent-not-found': 'Command not found on the remote',
  'cwd-missing': 'Remote working directory not found',
  'login-env-timeout': 'The remote login environment timed out',
  'login-env-failed': 'The remote login environment could not be read',
  'passphrase-required': 'SSH private key needs a passphrase',
  'spawn-failed': 'The ssh client could not be started',
  unknown: 'SSH failed',
};

function lines(text: string): string[] {
  return text
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^@+$/.test(line));
}

function unbanner(line: string): string {
  return line.replace(/^@+\s*|\s*@+$/g, '');
}

function failure(kind: SshFailureKind, detail?: string, hint: string = SSH_FAILURE_HINTS[kind]): SshFailure {
  return { kind, message: detail ? `${TITLES[kind]}: ${detail}` : TITLES[kind], hint };
}

/**
 * The host-key-unknown hint for the host ssh named ("… is known for [h]:p and …" or "… for h
 * and …"), with the fingerprint when ssh printed one (at `LogLevel=VERBOSE` and above).
 */
function unknownHostKeyHint(text: readonly string[]): string {
  const named = text.map((line) => /host key is known for (?:\[([^\]]+)\]:(\d+)|(\S+)) and/i.exec(line)).find(Boolean);
  const fingerprint = text.map((line) => /\b(SHA256:[A-Za-z0-9+/=]{20,})/.exec(line)?.[1]).find(Boolean);
  const host = named?.[1] ?? named?.[3];
  if (!host) return SSH_FAILURE_HINTS['host-key-unknown'];
  const port = named?.[2];
  return (
    `The known-hosts file has no key for ${port ? `[${host}]:${port}` : host} and hostKeyPolicy: 'strict' does not add one. ` +
    `Run ssh-keyscan${port ? ` -p ${port}` : ''} ${host} > key.txt, check ssh-keygen -lf key.txt against a fingerprint obtained out of band` +
    `${fingerprint ? ` (the server presented ${fingerprint})` : ''}, then append key.txt to the knownHostsFile; ` +
    "or use hostKeyPolicy: 'accept-new' to trust it on first use."
  );
}

/**
 * Names why ssh (or the remote script, before the command started) failed. Call it only when
 * the remote command did not start; it always returns a kind, `unknown` when nothing matches.
 *
 * Order of evidence: status markers (`not-found`, `cwd-missing`, `login-timeout`, `login-failed`), then ssh's messages in the
 * order a connection fails (DNS, connect, banner, host key, key file, auth), then exit status
 * 127 of an unmarked run.
 *
 * @example
 * ```ts
 * classifySshFailure({ exitCode: 255, stderr: 'dev@gpu: Permission denied (publickey).\r\n' });
 * // { kind: 'auth-failed', message: 'SSH authentication failed: dev@gpu: Permission denied (publickey).', hint: 'Verify the SSH key…' }
 * ```
 */
export function classifySshFailure(input: SshFailureInput): SshFailure {
  const markers = new Set(input.markers ?? []);
  const text = lines(input.stderr);
  const lastLine = text.at(-1);
  if (markers.has('not-found')) return failure('agent-not-found');
  if (markers.has('cwd-missing')) return failure('cwd-missing', lastLine);
  if (markers.has('login-timeout')) return failure('login-env-timeout', lastLine);
  if (markers.has('login-failed')) return failure('login-env-failed', lastLine);
  if (markers.has('stdin-missing')) return failure('unknown', 'the remote script did not receive its environment values on stdin');
  // The session was established: whatever text came before is not ssh's (rc files, motd).
  if (markers.has('pid')) return failure('unknown', lastLine);

  for (const { kind, pattern } of SSH_STDERR_PATTERNS) {
    const matching = text.filter((candidate) => pattern.test(candidate));
    if (matching.length === 0) continue;
    // ssh's "@@@ WARNING … @" banners head a block whose later plain line says more
    // ('Load key "k": bad permissions', 'Host key for [h]:p has changed …').
    const line = matching.find((candidate) => !candidate.startsWith('@')) ?? unbanner(matching[0]!);
    if (kind === 'auth-failed' && input.keyEncrypted) return failure('passphrase-required', line);
    if (kind === 'host-key-unknown') return failure(kind, line, unknownHostKeyHint(text));
    return failure(kind, line);
  }
  if (input.exitCode === 127 && input.markers === undefined) return failure('agent-not-found', lastLine);
  return failure('unknown', lastLine ?? (input.exitCode === null ? 'ssh was killed by a signal' : `ssh exited with status ${input.exitCode}`));
}
