import { describe, expect, it } from 'vitest';
import { runSucceeded, SshRunError, type SshRunResult } from '../../src/exec/index.js';
import { signalFromShellStatus } from '../../src/exec/result.js';

const base: SshRunResult = {
  exitCode: 0,
  signal: null,
  stdout: '',
  stderr: '',
  loginOutput: { stdout: '', stderr: '' },
  wrapped: { command: 'ssh', args: [], cwd: '/', sshRemoteUsed: null },
  remoteStarted: true,
  timedOut: false,
  aborted: false,
  idleTimedOut: false,
  attempts: 1,
  connectionLost: false,
  stdoutTruncated: false,
  stderrTruncated: false,
  durationMs: 1,
};

describe('run results', () => {
  it('signalFromShellStatus follows the 128+N convention', () => {
    expect(signalFromShellStatus(137)).toBe('SIGKILL');
    expect(signalFromShellStatus(143)).toBe('SIGTERM');
    expect(signalFromShellStatus(128)).toBeUndefined();
    expect(signalFromShellStatus(1)).toBeUndefined();
    expect(signalFromShellStatus(undefined)).toBeUndefined();
  });

  it('runSucceeded needs a started command that exited 0', () => {
    expect(runSucceeded(base)).toBe(true);
    expect(runSucceeded({ ...base, remoteExitCode: 0, exitCode: 0 })).toBe(true);
    expect(runSucceeded({ ...base, remoteExitCode: 1, exitCode: 1 })).toBe(false);
    expect(runSucceeded({ ...base, errorKind: 'dns' })).toBe(false);
    expect(runSucceeded({ ...base, timedOut: true })).toBe(false);
    expect(runSucceeded({ ...base, connectionLost: true })).toBe(false);
    expect(runSucceeded({ ...base, idleTimedOut: true })).toBe(false);
  });

  it('SshRunError carries the execa-style fields', () => {
    const error = new SshRunError({ ...base, exitCode: 255, errorKind: 'auth-failed', errorMessage: 'SSH authentication failed: x', hint: 'h', stderr: 'x\n' });
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(SshRunError);
    expect(error).toMatchObject({ errorKind: 'auth-failed', hint: 'h', exitCode: 255, shortMessage: 'SSH authentication failed: x', aborted: false });
    expect(error.message).toBe('SSH authentication failed: x\nx');
    expect(new SshRunError({ ...base, exitCode: 137, remoteExitCode: 137, remoteSignal: 'SIGKILL' }).shortMessage).toBe('Command was killed by SIGKILL');
  });

  it('SshRunError uses the same names as SshRunResult for the same facts', () => {
    const result: Required<SshRunResult> = {
      ...base,
      exitCode: 143,
      signal: 'SIGTERM',
      stdout: 'out',
      stderr: 'err',
      remoteStarted: true,
      remoteExitCode: 137,
      remoteSignal: 'SIGKILL',
      remotePid: 4242,
      errorKind: 'timeout',
      errorMessage: 'Timed out',
      hint: 'raise it',
      timedOut: true,
      aborted: true,
      stopReason: 'abort',
      connectionLost: true,
      idleTimedOut: true,
      attempts: 2,
      durationMs: 77,
    };
    const error = new SshRunError(result);
    // Output buffers' truncation flags and the spawn itself stay on `error.result`.
    const onlyOnResult = new Set(['wrapped', 'stdoutTruncated', 'stderrTruncated']);
    for (const key of Object.keys(result) as Array<keyof SshRunResult>) {
      if (!onlyOnResult.has(key)) expect(error[key as keyof SshRunError], key).toBe(result[key]);
    }
    expect(error.result).toBe(result);
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ aborted: true, connectionLost: true, remoteSignal: 'SIGKILL' });
  });
});
