import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SshRunError } from '../../src/exec/index.js';
import type { SshRunResult } from '../../src/exec/index.js';

describe('SshRunError redaction', () => {
  it('keeps the raw ssh argv (with env values) out of JSON and inspect output', () => {
    const result = {
      exitCode: 1, signal: null, stdout: '', stderr: 'boom', remoteStarted: true, remoteExitCode: 1, timedOut: false, aborted: false,
      connectionLost: false, stdoutTruncated: false, stderrTruncated: false, durationMs: 5,
      wrapped: { command: 'ssh', args: ['--', 'h', "exec /bin/sh -c '...' sshwrap 'export ANTHROPIC_API_KEY=sk-live-leak'"], cwd: '/', sshRemoteUsed: null, remoteCommand: "export ANTHROPIC_API_KEY='<redacted>' && claude" },
    } as unknown as SshRunResult;
    const error = new SshRunError(result);
    expect(error.result).toBe(result);
    expect(JSON.stringify(error)).not.toContain('sk-live-leak');
    expect(JSON.stringify(error)).toContain('<redacted>');
    expect(inspect(error, { depth: 10 })).not.toContain('sk-live-leak');
  });
});
