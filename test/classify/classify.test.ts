import { describe, expect, it } from 'vitest';
import { classifySshFailure, SSH_FAILURE_HINTS, SSH_FAILURE_KINDS } from '../../src/classify/index.js';
import { OPENSSH_92_SAMPLES, OTHER_SAMPLES } from './samples.js';

describe('classifySshFailure', () => {
  it.each(OPENSSH_92_SAMPLES)('OpenSSH 9.2: $name → $kind', ({ stderr, kind, keyEncrypted }) => {
    const failure = classifySshFailure({ exitCode: 255, stderr, keyEncrypted });
    expect(failure.kind).toBe(kind);
    expect(failure.hint).toBe(SSH_FAILURE_HINTS[kind]);
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

  it('an unencrypted key stays auth-failed', () => {
    expect(classifySshFailure({ exitCode: 255, stderr: 'a@b: Permission denied (publickey).\r\n', keyEncrypted: false }).kind).toBe('auth-failed');
  });

  it('markers outrank text: not-found and cwd-missing', () => {
    expect(classifySshFailure({ exitCode: 127, stderr: '', markers: ['pid', 'not-found'] }).kind).toBe('agent-not-found');
    const cwd = classifySshFailure({ exitCode: 1, stderr: "sh: 1: cd: can't cd to /nope\n", markers: ['pid', 'cwd-missing'] });
    expect(cwd).toMatchObject({ kind: 'cwd-missing', message: "Remote working directory not found: sh: 1: cd: can't cd to /nope" });
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
    expect(classifySshFailure({ exitCode: 255, stderr }).kind).toBe('host-key-changed');
  });

  it('has a hint for every kind', () => {
    for (const kind of SSH_FAILURE_KINDS) expect(SSH_FAILURE_HINTS[kind].length).toBeGreaterThan(20);
  });

  it('hints follow the reference troubleshooting section', () => {
    expect(SSH_FAILURE_HINTS['agent-not-found']).toMatch(/full path in customPath/);
    expect(SSH_FAILURE_HINTS['agent-not-found']).toMatch(/PATH in customEnvVars/);
    expect(SSH_FAILURE_HINTS['cwd-missing']).toMatch(/workingDirOverride/);
    expect(SSH_FAILURE_HINTS.timeout).toMatch(/ConnectTimeout/);
    expect(SSH_FAILURE_HINTS['auth-failed']).toMatch(/authorized_keys/);
  });
});
