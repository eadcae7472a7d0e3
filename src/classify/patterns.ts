import type { SshFailureKind } from './kinds.js';

/**
 * One recognisable ssh client message and the failure it means.
 *
 * @example
 * ```ts
 * const pattern: SshStderrPattern = { kind: 'dns', pattern: /Could not resolve hostname/i };
 * ```
 */
export interface SshStderrPattern {
  kind: SshFailureKind;
  pattern: RegExp;
}

/**
 * OpenSSH client messages (texts as printed by OpenSSH 9.2, also older ones where they differ),
 * in priority order: what fails first in a connection wins. A refused or unresolvable host is
 * reported even when a missing key was warned about before connecting; an unreadable key
 * explains the "Permission denied" that follows it. Every pattern is seen at `LogLevel=ERROR`
 * (sshwrap's default), except the INFO-only "Connection to … timed out" kept for callers who
 * raise the level.
 *
 * @example
 * ```ts
 * SSH_STDERR_PATTERNS.find((p) => p.pattern.test('ssh: connect to host a port 22: Connection refused'))?.kind; // 'connection-refused'
 * ```
 */
export const SSH_STDERR_PATTERNS: readonly SshStderrPattern[] = Object.freeze([
  { kind: 'dns', pattern: /Could not resolve hostname|Name or service not known|nodename nor servname provided|Temporary failure in name resolution/i },
  { kind: 'connection-refused', pattern: /Connection refused/i },
  { kind: 'host-unreachable', pattern: /No route to host|Network is unreachable|Host is unreachable/i },
  {
    kind: 'timeout',
    pattern: /Connection timed out|timed out during banner exchange|Operation timed out|Connection to \S+ port \d+ timed out|Timeout, server \S+ not responding/i,
  },
  { kind: 'host-key-changed', pattern: /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for \S+ has changed/i },
  // After host-key-changed: a changed key ends with "Host key verification failed." too, but
  // always prints its banner first (at ERROR). Alone, the line is an unknown key under `ask`.
  { kind: 'host-key-unknown', pattern: /No \S+ host key is known for|Host key verification failed/i },
  {
    kind: 'key-unreadable',
    pattern: /Identity file \S.* not accessible|Load key "[^"]*": (?!incorrect passphrase)|UNPROTECTED PRIVATE KEY FILE|no such identity:/i,
  },
  { kind: 'passphrase-required', pattern: /incorrect passphrase supplied|read_passphrase: can't open \/dev\/tty|Enter passphrase for key/i },
  // After auth: only an authenticated connection asks for a forwarding. ExitOnForwardFailure
  // makes the -R refusal an ERROR-level fatal; the -L refusal is logged at INFO (the forwarding
  // connection runs at LogLevel=INFO for it).
  { kind: 'forwarding-refused', pattern: /remote port forwarding failed for listen|open failed: administratively prohibited/i },
  { kind: 'auth-failed', pattern: /Permission denied \(|Too many authentication failures|No more authentication methods to try/i },
  {
    kind: 'connection-closed',
    pattern: /kex_exchange_identification|ssh_exchange_identification|Connection closed by|Connection reset by|banner exchange: Connection to \S+ port \d+: invalid format/i,
  },
]);
