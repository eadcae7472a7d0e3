import type { SshFailureKind } from '../../src/classify/index.js';

/**
 * stderr of the real OpenSSH 9.2p1 client (Debian 12) at sshwrap's default `LogLevel=ERROR`,
 * captured against the loopback test bed, byte for byte (CRLF line ends included).
 */
export const OPENSSH_92_SAMPLES: ReadonlyArray<{ name: string; kind: SshFailureKind; stderr: string; keyEncrypted?: boolean }> = [
  { name: 'key not in authorized_keys', kind: 'auth-failed', stderr: 'root@127.0.0.1: Permission denied (publickey).\r\n' },
  { name: 'unknown user', kind: 'auth-failed', stderr: 'nosuchuser@127.0.0.1: Permission denied (publickey).\r\n' },
  {
    name: 'encrypted key under BatchMode (ssh says only "Permission denied")',
    kind: 'passphrase-required',
    keyEncrypted: true,
    stderr: 'root@127.0.0.1: Permission denied (publickey).\r\n',
  },
  {
    name: 'missing identity file',
    kind: 'key-unreadable',
    stderr:
      'Warning: Identity file /tmp/swx/does-not-exist not accessible: No such file or directory.\n' +
      'root@127.0.0.1: Permission denied (publickey).\r\n',
  },
  {
    name: 'identity file too open',
    kind: 'key-unreadable',
    stderr:
      '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\r\n' +
      '@         WARNING: UNPROTECTED PRIVATE KEY FILE!          @\r\n' +
      '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\r\n' +
      "Permissions 0644 for '/tmp/swx/badperm' are too open.\r\n" +
      'It is required that your private key files are NOT accessible by others.\r\n' +
      'This private key will be ignored.\r\n' +
      'Load key "/tmp/swx/badperm": bad permissions\r\n' +
      'root@127.0.0.1: Permission denied (publickey).\r\n',
  },
  {
    name: 'identity file is not a key',
    kind: 'key-unreadable',
    stderr: 'Load key "/tmp/swx/garbagekey": error in libcrypto\r\nroot@127.0.0.1: Permission denied (publickey).\r\n',
  },
  {
    name: 'changed host key',
    kind: 'host-key-changed',
    stderr:
      '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\r\n' +
      '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\r\n' +
      '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\r\n' +
      'IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\r\n' +
      'Someone could be eavesdropping on you right now (man-in-the-middle attack)!\r\n' +
      'It is also possible that a host key has just been changed.\r\n' +
      'The fingerprint for the ED25519 key sent by the remote host is\n' +
      'SHA256:AWKXvFnUXuHvMHP3YA3uPGgb4v0prwEvefXU/NEAQhs.\r\n' +
      'Please contact your system administrator.\r\n' +
      'Add correct host key in /tmp/swx/kh to get rid of this message.\r\n' +
      'Offending ED25519 key in /tmp/swx/kh:1\r\n' +
      '  remove with:\r\n' +
      '  ssh-keygen -f "/tmp/swx/kh" -R "[127.0.0.1]:39573"\r\n' +
      'Host key for [127.0.0.1]:39573 has changed and you have requested strict checking.\r\n' +
      'Host key verification failed.\r\n',
  },
  {
    name: 'strict checking, unknown host',
    kind: 'host-key-unknown',
    stderr: 'No ED25519 host key is known for [127.0.0.1]:2299 and you have requested strict checking.\r\nHost key verification failed.\r\n',
  },
  { name: 'StrictHostKeyChecking=ask under BatchMode, unknown host', kind: 'host-key-unknown', stderr: 'Host key verification failed.\r\n' },
  {
    // OpenSSH 9.2, -R with ExitOnForwardFailure=yes against AllowStreamLocalForwarding no (test/integration/forward.test.ts).
    name: 'remote socket forward refused by the server',
    kind: 'forwarding-refused',
    stderr: "Warning: Permanently added '[127.0.0.1]:44859' (ED25519) to the list of known hosts.\r\nError: remote port forwarding failed for listen path /tmp/sshwrap-sock.Ab12/s\r\n",
  },
  {
    // OpenSSH 9.2 at LogLevel=INFO, a connection through -L against AllowTcpForwarding no.
    name: 'local port forward refused by the server (channel open)',
    kind: 'forwarding-refused',
    stderr: 'channel 2: open failed: administratively prohibited: open failed\r\n',
  },
  {
    name: 'strict checking, unknown ProxyJump hop (the hop ssh speaks first, then the closed proxy)',
    kind: 'host-key-unknown',
    stderr:
      'No ED25519 host key is known for [127.0.0.1]:2299 and you have requested strict checking.\r\n' +
      'Host key verification failed.\r\n' +
      'kex_exchange_identification: Connection closed by remote host\r\n' +
      'Connection closed by UNKNOWN port 65535\r\n',
  },
  {
    name: 'changed host key of a ProxyJump hop',
    kind: 'host-key-changed',
    stderr:
      '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\r\n' +
      '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\r\n' +
      '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\r\n' +
      'Host key for [127.0.0.1]:2299 has changed and you have requested strict checking.\r\n' +
      'Host key verification failed.\r\n' +
      'kex_exchange_identification: Connection closed by remote host\r\n' +
      'Connection closed by UNKNOWN port 65535\r\n',
  },
  { name: 'nothing listening', kind: 'connection-refused', stderr: 'ssh: connect to host 127.0.0.1 port 46781: Connection refused\r\n' },
  { name: 'unresolvable name', kind: 'dns', stderr: 'ssh: Could not resolve hostname nonexistent.invalid: Name or service not known\r\n' },
  { name: 'listener that never answers', kind: 'timeout', stderr: 'Connection timed out during banner exchange\r\n' },
  {
    name: 'listener that never answers (LogLevel=INFO)',
    kind: 'timeout',
    stderr: 'Connection timed out during banner exchange\r\nConnection to 127.0.0.1 port 44435 timed out\r\n',
  },
  { name: 'listener that resets', kind: 'connection-closed', stderr: 'kex_exchange_identification: read: Connection reset by peer\r\n' },
  { name: 'listener that closes', kind: 'connection-closed', stderr: 'kex_exchange_identification: Connection closed by remote host\r\n' },
  {
    name: 'listener that closes (LogLevel=INFO)',
    kind: 'connection-closed',
    stderr: 'kex_exchange_identification: Connection closed by remote host\r\nConnection closed by 127.0.0.1 port 43529\r\n',
  },
];

/** Texts from other OpenSSH versions and platforms (man pages, bug reports), for kinds loopback cannot produce. */
export const OTHER_SAMPLES: ReadonlyArray<{ name: string; kind: SshFailureKind; stderr: string }> = [
  { name: 'no route', kind: 'host-unreachable', stderr: 'ssh: connect to host 10.9.8.7 port 22: No route to host\r\n' },
  { name: 'network unreachable', kind: 'host-unreachable', stderr: 'ssh: connect to host 2001:db8::1 port 22: Network is unreachable\r\n' },
  { name: 'connect timeout', kind: 'timeout', stderr: 'ssh: connect to host 10.255.255.1 port 22: Connection timed out\r\n' },
  { name: 'macOS connect timeout', kind: 'timeout', stderr: 'ssh: connect to host 10.255.255.1 port 22: Operation timed out\r\n' },
  { name: 'macOS dns', kind: 'dns', stderr: 'ssh: Could not resolve hostname nope: nodename nor servname provided, or not known\r\n' },
  { name: 'dns outage', kind: 'dns', stderr: 'ssh: Could not resolve hostname gpu: Temporary failure in name resolution\r\n' },
  { name: 'old ssh closes', kind: 'connection-closed', stderr: 'ssh_exchange_identification: Connection closed by remote host\r\n' },
  { name: 'too many auth failures', kind: 'auth-failed', stderr: 'Received disconnect from 10.0.0.2 port 22:2: Too many authentication failures\r\nDisconnected from 10.0.0.2 port 22\r\n' },
  { name: 'passphrase text (no BatchMode tty)', kind: 'passphrase-required', stderr: "read_passphrase: can't open /dev/tty: No such device or address\r\nuser@h: Permission denied (publickey).\r\n" },
  { name: 'connect timeout (LogLevel=INFO line alone)', kind: 'timeout', stderr: 'Connection to gpu.example.com port 2222 timed out\r\n' },
  { name: 'ServerAliveInterval gave up', kind: 'timeout', stderr: 'Timeout, server gpu.example.com not responding.\r\n' },
  { name: 'not an SSH server on that port', kind: 'connection-closed', stderr: 'banner exchange: Connection to 127.0.0.1 port 8080: invalid format\r\n' },
];
