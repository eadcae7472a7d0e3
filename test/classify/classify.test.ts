import { describe, expect, it } from 'vitest';
import { classifySshFailure, SSH_FAILURE_HINTS, SSH_FAILURE_KINDS, type SshFailureInput } from '../../src/classify/index.js';
import type { SshFailureKind } from '../../src/classify/index.js';
import { OPENSSH_92_SAMPLES, OTHER_SAMPLES } from './samples.js';

describe('classifySshFailure', () => {
  it.each(OPENSSH_92_SAMPLES)('OpenSSH 9.2: $name → $kind', ({ stderr, kind, keyEncrypted }) => {
    const failure = classifySshFailure({ exitCode: 255, stderr, keyEncrypted });
    expect(failure.kind).toBe(kind);
    // host-key-unknown names the host in its hint (tested below).
    if (kind !== 'host-key-unknown') expect(failure.hint).toBe(SSH_FAILURE_HINTS[kind]);
    expect(failure.message).not.toMatch(/[\r\n]/);
  });

  it.each(OTHER_SAMPLES)('other texts: $name → $kind', ({ stderr, kind }) => {
    expect(classifySshFailure({ exitCode: 255, stderr }).kind).toBe(kind);
  });

  it('quotes the ssh line that decided it', () => {
    const failure = classifySshFailure({ exitCode: 255, stderr: 'ssh: connect to host 127.0.0.1 port 1: Connection refused\r\n' });
    expect(failure.message).toBe('SSH connection refused: ssh: connect to host 127.0.0.1 port 1: Connection refused');
  });

  it('quotes the informative line of an @@@ banner block, not the banner', () => {
    const key = OPENSSH_92_SAMPLES.find((sample) => sample.name === 'identity file too open')!;
    expect(classifySshFailure({ exitCode: 255, stderr: key.stderr }).message).toBe('SSH private key could not be loaded: Load key "/tmp/swx/badperm": bad permissions');
    const hostKey = OPENSSH_92_SAMPLES.find((sample) => sample.kind === 'host-key-changed')!;
    expect(classifySshFailure({ exitCode: 255, stderr: hostKey.stderr }).message).toBe(
      'SSH host key verification failed: Host key for [127.0.0.1]:39573 has changed and you have requested strict checking.',
    );
    expect(classifySshFailure({ exitCode: 255, stderr: '@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @\n' }).message).toBe(
      'SSH host key verification failed: WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!',
    );
  });

  it('host-key-unknown (strict, no key) is told apart from host-key-changed, and its hint names the host and port', () => {
    const unknown = OPENSSH_92_SAMPLES.find((sample) => sample.name === 'strict checking, unknown host')!;
    const failure = classifySshFailure({ exitCode: 255, stderr: unknown.stderr });
    expect(failure).toMatchObject({
      kind: 'host-key-unknown',
      message: 'SSH host key unknown: No ED25519 host key is known for [127.0.0.1]:2299 and you have requested strict checking.',
    });
    expect(failure.hint).toMatch(/^The known-hosts file has no key for \[127\.0\.0\.1\]:2299 .* Run ssh-keyscan -p 2299 127\.0\.0\.1 > key\.txt, check ssh-keygen -lf key\.txt against a fingerprint obtained out of band, then append/);
    expect(failure.hint).not.toMatch(/SHA256/);
    expect(failure.hint).not.toMatch(/\. [a-z(]|  | [,.;]/);
    const plainHost = classifySshFailure({ exitCode: 255, stderr: 'No ECDSA host key is known for gpu.example.com and you have requested strict checking.\r\nHost key verification failed.\r\n' });
    expect(plainHost.hint).toMatch(/no key for gpu\.example\.com and .* Run ssh-keyscan gpu\.example\.com > key\.txt/);
  });

  it('host-key-unknown: the fingerprint ssh printed (at -v) is in the hint', () => {
    const stderr =
      'debug1: Server host key: ssh-ed25519 SHA256:II9U/iIOuQPj5fzOsCTTw2SpiL/noFwzw0HdxdU1Yi4\r\n' +
      'No ED25519 host key is known for [127.0.0.1]:2299 and you have requested strict checking.\r\nHost key verification failed.\r\n';
    expect(classifySshFailure({ exitCode: 255, stderr }).hint).toMatch(/\(the server presented SHA256:II9U\/iIOuQPj5fzOsCTTw2SpiL\/noFwzw0HdxdU1Yi4\)/);
  });

  it('an unencrypted key stays auth-failed', () => {
    expect(classifySshFailure({ exitCode: 255, stderr: 'a@b: Permission denied (publickey).\r\n', keyEncrypted: false }).kind).toBe('auth-failed');
  });

  it('markers outrank text: not-found and cwd-missing', () => {
    expect(classifySshFailure({ exitCode: 127, stderr: '', markers: ['pid', 'not-found'] }).kind).toBe('agent-not-found');
    const cwd = classifySshFailure({ exitCode: 1, stderr: "sh: 1: cd: can't cd to /nope\n", markers: ['pid', 'cwd-missing'] });
    expect(cwd).toMatchObject({ kind: 'cwd-missing', message: "Remote working directory not found: sh: 1: cd: can't cd to /nope" });
  });

  it('login markers: login-timeout and login-failed are their own kinds, quoting the script\'s line', () => {
    const late = classifySshFailure({ exitCode: 1, stderr: 'sshwrap: the login shell /bin/bash did not finish within 10 s\n', markers: ['pid', 'login-timeout'] });
    expect(late).toMatchObject({ kind: 'login-env-timeout', message: 'The remote login environment timed out: sshwrap: the login shell /bin/bash did not finish within 10 s' });
    expect(classifySshFailure({ exitCode: 1, stderr: '', markers: ['pid', 'login-failed'] }).kind).toBe('login-env-failed');
  });

  it('once the session is up (pid marker), rc-file text is never read as an ssh failure', () => {
    // Maestro matched its patterns against any output and reported false "permission denied"s.
    const failure = classifySshFailure({ exitCode: 1, stderr: 'Permission denied (publickey).\nConnection refused\n', markers: ['pid'] });
    expect(failure.kind).toBe('unknown');
  });

  it('exit 127 without markers means command not found; with markers but no not-found it does not', () => {
    expect(classifySshFailure({ exitCode: 127, stderr: 'bash: claude: command not found\n' }).kind).toBe('agent-not-found');
    expect(classifySshFailure({ exitCode: 127, stderr: '', markers: [] }).kind).toBe('unknown');
  });

  it('falls back to unknown with the exit status', () => {
    expect(classifySshFailure({ exitCode: 255, stderr: '' })).toMatchObject({ kind: 'unknown', message: 'SSH failed: ssh exited with status 255' });
    expect(classifySshFailure({ exitCode: null, stderr: '' }).message).toContain('signal');
  });

  it('host key problems win over the auth failure that follows a bad key warning', () => {
    const stderr = 'Warning: Identity file /k not accessible: No such file or directory.\nHost key verification failed.\r\n';
    expect(classifySshFailure({ exitCode: 255, stderr }).kind).toBe('host-key-unknown');
    const changed = 'Warning: Identity file /k not accessible: No such file or directory.\nHost key for gpu has changed and you have requested strict checking.\nHost key verification failed.\r\n';
    expect(classifySshFailure({ exitCode: 255, stderr: changed }).kind).toBe('host-key-changed');
  });

  it.each<[string, SshFailureInput, string]>([
    ['auth-failed', { exitCode: 255, stderr: 'dev@gpu: Permission denied (publickey).\r\n' }, 'SSH authentication failed: dev@gpu: Permission denied (publickey).'],
    ['timeout', { exitCode: 255, stderr: 'Connection timed out during banner exchange\r\n' }, 'SSH connection timed out: Connection timed out during banner exchange'],
    ['host-unreachable', { exitCode: 255, stderr: 'ssh: connect to host 10.9.8.7 port 22: No route to host\r\n' }, 'SSH host unreachable: ssh: connect to host 10.9.8.7 port 22: No route to host'],
    ['dns', { exitCode: 255, stderr: 'ssh: Could not resolve hostname gpu: Temporary failure in name resolution\r\n' }, 'SSH host name could not be resolved: ssh: Could not resolve hostname gpu: Temporary failure in name resolution'],
    ['connection-closed', { exitCode: 255, stderr: 'kex_exchange_identification: Connection closed by remote host\r\n' }, 'SSH connection closed during the handshake: kex_exchange_identification: Connection closed by remote host'],
    ['passphrase-required', { exitCode: 255, stderr: 'dev@gpu: Permission denied (publickey).\r\n', keyEncrypted: true }, 'SSH private key needs a passphrase: dev@gpu: Permission denied (publickey).'],
    ['agent-not-found (marker)', { exitCode: 127, stderr: '', markers: ['pid', 'not-found'] }, 'Command not found on the remote'],
    ['agent-not-found (exit 127)', { exitCode: 127, stderr: 'bash: line 1: claude: command not found\n' }, 'Command not found on the remote: bash: line 1: claude: command not found'],
  ])('%s: the message names the failure, then quotes ssh', (_, input, message) => {
    expect(classifySshFailure(input).message).toBe(message);
  });

  it('keyEncrypted only reinterprets an authentication failure', () => {
    const refused = 'ssh: connect to host 127.0.0.1 port 1: Connection refused\r\n';
    expect(classifySshFailure({ exitCode: 255, stderr: refused, keyEncrypted: true }).kind).toBe('connection-refused');
  });

  it('stdin-missing: the remote script started but got no environment values', () => {
    for (const markers of [['stdin-missing'], ['pid', 'stdin-missing']] as const) {
      expect(classifySshFailure({ exitCode: 1, stderr: 'motd\n', markers })).toEqual({
        kind: 'unknown',
        message: 'SSH failed: the remote script did not receive its environment values on stdin',
        hint: SSH_FAILURE_HINTS.unknown,
      });
    }
  });

  it('quotes lines without their surrounding whitespace, and never an @@@ frame line', () => {
    expect(classifySshFailure({ exitCode: 1, stderr: '\t welcome to gpu  \r\n', markers: ['pid'] }).message).toBe('SSH failed: welcome to gpu');
    const dnsSpoofing =
      '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\r\n' +
      '@       WARNING: POSSIBLE DNS SPOOFING DETECTED!          @\r\n' +
      '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\r\n';
    const failure = classifySshFailure({ exitCode: 255, stderr: dnsSpoofing });
    expect(failure.kind).toBe('unknown');
    expect(failure.message).toMatch(/^SSH failed: @ +WARNING: POSSIBLE DNS SPOOFING DETECTED! +@$/);
  });

  it('strips only the @ frame from a banner line it quotes', () => {
    const padded = '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\r\n';
    expect(classifySshFailure({ exitCode: 255, stderr: padded }).message).toBe('SSH host key verification failed: WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!');
    // Wider frames, and an @ inside the text (user@host), which is not part of the frame.
    const framed = '@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED FOR dev@gpu! @@@\n';
    expect(classifySshFailure({ exitCode: 255, stderr: framed }).message).toBe(
      'SSH host key verification failed: WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED FOR dev@gpu!',
    );
  });

  it('has a hint for every kind, written as whole sentences', () => {
    for (const kind of SSH_FAILURE_KINDS) {
      const hint = SSH_FAILURE_HINTS[kind];
      expect(hint, kind).toMatch(/^[A-Z]/);
      expect(hint, kind).toMatch(/[.)]$/);
      // A fragment lost from a concatenated hint leaves a sentence starting in lower case.
      expect(hint, kind).not.toMatch(/\. [a-z(]|  | [,.;]/);
    }
  });

  it.each<[SshFailureKind, RegExp[]]>([
    ['auth-failed', [/authorized_keys/, /BatchMode=yes/, /useSshConfig: true/]],
    ['host-key-changed', [/does not match the one in known_hosts/, /ssh-keygen -R/, /man-in-the-middle/]],
    ['host-key-unknown', [/no key for this host/, /ssh-keyscan/, /out of band/, /accept-new/]],
    ['connection-refused', [/port number/, /sshd is running/]],
    ['timeout', [/ConnectTimeout/, /ServerAliveInterval/, /network connectivity\.$/]],
    ['host-unreachable', [/VPN, routes/]],
    ['dns', [/typos/, /Host alias/]],
    ['connection-closed', [/belongs to an SSH server/, /MaxStartups/]],
    ['key-unreadable', [/readable by this user/, /chmod 600/]],
    ['agent-not-found', [/full path/, /remotePath/, /remoteEnvironment: 'login'/, /agentBinaryName/]],
    ['cwd-missing', [/absolute path/, /workingDirOverride/, /permissions on the remote directory/]],
    ['login-env-timeout', [/waits\s+for input/, /status is-interactive/, /timeoutSeconds/]],
    ['login-env-failed', [/\$SHELL -l -c true/, /calls exit/]],
    ['forwarding-refused', [/AllowTcpForwarding yes/, /AllowStreamLocalForwarding yes/, /PermitOpen/, /no-port-forwarding/]],
    ['passphrase-required', [/encrypted/, /ssh-add/, /without a passphrase/]],
    ['spawn-failed', [/OpenSSH client/, /sshPath/, /E2BIG/]],
    ['unknown', [/-v/]],
  ])('the %s hint tells what to do', (kind, musts) => {
    for (const must of musts) expect(SSH_FAILURE_HINTS[kind]).toMatch(must);
  });

  it('hints follow the reference troubleshooting section', () => {
    // The reference says "customPath" (Maestro's agent setting); sshwrap's spawn config has none, so its own words.
    expect(SSH_FAILURE_HINTS['agent-not-found']).toMatch(/full path/);
    expect(SSH_FAILURE_HINTS['cwd-missing']).toMatch(/workingDirOverride/);
    expect(SSH_FAILURE_HINTS.timeout).toMatch(/ConnectTimeout/);
    expect(SSH_FAILURE_HINTS['auth-failed']).toMatch(/authorized_keys/);
  });
});
