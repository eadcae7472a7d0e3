import { describe, expect, it } from 'vitest';
import { execExitCode } from '../../src/cli/commands/exec.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import type { SshRunResult } from '../../src/exec/index.js';

const base = {
  exitCode: 0, signal: null, stdout: '', stderr: '', loginOutput: { stdout: '', stderr: '' }, wrapped: {} as SshRunResult['wrapped'], remoteStarted: true,
  timedOut: false, aborted: false, idleTimedOut: false, attempts: 1, connectionLost: false, stdoutTruncated: false, stderrTruncated: false, durationMs: 1,
} satisfies SshRunResult;

describe('execExitCode', () => {
  it.each<[string, Partial<SshRunResult>, 'SIGINT' | 'SIGTERM' | 'SIGPIPE' | undefined, number]>([
    ['remote exit 0', { remoteExitCode: 0 }, undefined, 0],
    ['remote exit 3', { exitCode: 3, remoteExitCode: 3 }, undefined, 3],
    ['remote exit 255 is the remote status, not an ssh failure', { exitCode: 255, remoteExitCode: 255 }, undefined, 255],
    ['remote killed by SIGKILL (sh reports 137)', { exitCode: 137, remoteExitCode: 137, remoteSignal: 'SIGKILL' }, undefined, 137],
    ['ssh failure', { exitCode: 255, remoteStarted: false, errorKind: 'auth-failed' }, undefined, EXIT.REMOTE_DID_NOT_RUN],
    ['command not found', { exitCode: 127, remoteStarted: false, errorKind: 'agent-not-found' }, undefined, EXIT.REMOTE_DID_NOT_RUN],
    ['timeout before start', { exitCode: null, remoteStarted: false, timedOut: true, errorKind: 'timeout' }, undefined, EXIT.TIMEOUT],
    ['timeout while running', { exitCode: null, signal: 'SIGTERM', timedOut: true }, undefined, EXIT.TIMEOUT],
    ['connection lost', { exitCode: 255, connectionLost: true }, undefined, EXIT.CONNECTION_LOST],
    ['SIGINT', { exitCode: null, aborted: true }, 'SIGINT', EXIT.SIGINT],
    ['SIGTERM', { exitCode: null, aborted: true }, 'SIGTERM', EXIT.SIGTERM],
    ['stdout closed (EPIPE)', { exitCode: null, aborted: true }, 'SIGPIPE', 141],
    ['a signal that raced a normal exit still reports the interruption', { remoteExitCode: 0 }, 'SIGINT', EXIT.SIGINT],
  ])('%s', (_name, result, signal, code) => {
    expect(execExitCode({ ...base, ...result }, signal)).toBe(code);
  });

  it('keeps the documented codes distinct', () => {
    const codes = Object.values(EXIT);
    expect(new Set(codes).size).toBe(codes.length);
  });
});
