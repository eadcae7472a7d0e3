import { describe, expect, it } from 'vitest';
import { parseCountFlag, parseDurationFlag, statusRow } from '../../src/cli/commands/detached-shared.js';
import { run } from '../../src/cli/run.js';
import { memoryIo } from '../cli/helpers.js';

describe('detached-run CLI commands (no server)', () => {
  it.each(['start', 'attach', 'ps', 'logs', 'kill', 'prune'])('%s --help prints its usage and exits 0', async (command) => {
    const io = memoryIo();
    expect(await run([command, '--help'], io)).toBe(0);
    expect(io.out()).toContain(`Usage: sshwrap ${command}`);
  });

  it('the main help lists the commands', async () => {
    const io = memoryIo();
    expect(await run(['--help'], io)).toBe(0);
    for (const command of ['start', 'attach', 'ps', 'logs', 'kill', 'prune']) expect(io.out()).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it.each([
    [['attach', 'gpu'], /expects <remote> <run-id>/],
    [['kill'], /expects <remote> <run-id>/],
    [['prune', 'gpu'], /--older-than DURATION is required/],
    [['prune', 'gpu', '--older-than', '7y'], /expects a duration/],
    [['attach', 'gpu', 'r-1', '--from-stdout', '-3'], /non-negative integer|argument/],
    [['attach', 'gpu', 'r-1', '--from-stdout', 'x'], /non-negative integer/],
    [['start', 'gpu'], /missing the remote command/],
    [['ps', 'gpu', 'r-1', 'extra'], /unexpected "extra"/],
  ])('%j is a usage error (exit 2) before anything connects', async (argv, message) => {
    const io = memoryIo();
    expect(await run(argv, io)).toBe(2);
    expect(io.err()).toMatch(message);
  });

  it('durations and byte counts', () => {
    expect(parseDurationFlag('0', '--older-than', 'prune')).toBe(0);
    expect(parseDurationFlag('90', '--older-than', 'prune')).toBe(90_000);
    expect(parseDurationFlag('15m', '--older-than', 'prune')).toBe(900_000);
    expect(parseDurationFlag('1.5h', '--older-than', 'prune')).toBe(5_400_000);
    expect(parseDurationFlag('7d', '--older-than', 'prune')).toBe(604_800_000);
    expect(parseCountFlag('1024', '--from-stdout', 'attach')).toBe(1024);
    expect(parseCountFlag(undefined, '--from-stdout', 'attach')).toBeUndefined();
  });

  it('ps rows are tab-separated, with the signal next to the exit status', () => {
    expect(statusRow({ runId: 'r-1', state: 'exited', exitCode: 143, remoteSignal: 'SIGTERM', remotePid: 9, startedAt: 'S', endedAt: 'E', stdoutBytes: 1, stderrBytes: 2 })).toBe(
      'r-1\texited\t143(SIGTERM)\t9\tS\tE\t1\t2\n',
    );
    expect(statusRow({ runId: 'r-2', state: 'running', remotePid: 9, startedAt: '', stdoutBytes: 0, stderrBytes: 0 })).toBe('r-2\trunning\t-\t9\t-\t-\t0\t0\n');
  });
});
