import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import type { SpawnExecutor } from '../../src/exec/index.js';
import { fakeExecutor, type FakeChild } from '../exec/fake-executor.js';
import { memoryIo, tempDir, type MemoryIo } from './helpers.js';

const tmp = tempDir('sshwrap-cli-progress-');
afterAll(() => tmp.cleanup());
const remotesFile = tmp.write('remotes.json', JSON.stringify([{ id: 'box', host: 'box.example.com', username: 'dev' }]));
const env = { XDG_CONFIG_HOME: path.join(tmp.dir, 'xdg'), HOME: tmp.dir };
const ERASE = '\r\x1b[K';

async function exec(executor: SpawnExecutor, options: { tty: boolean; env?: NodeJS.ProcessEnv; flags?: string[] }): Promise<{ code: number; io: MemoryIo }> {
  const io = memoryIo({ ...env, ...options.env }, '', { executor, stderrIsTTY: options.tty });
  const code = await run(['exec', 'box', '--remotes', remotesFile, ...(options.flags ?? []), '--', 'job'], io);
  return { code, io };
}

/** What a terminal shows for this stderr text: `\r` + erase-line removes the current line. */
function rendered(text: string): string {
  const lines: string[] = [''];
  for (const piece of text.split(/(\r\x1b\[K|\n)/)) {
    if (piece === ERASE) lines[lines.length - 1] = '';
    else if (piece === '\n') lines.push('');
    else lines[lines.length - 1] += piece;
  }
  return lines.join('\n');
}

function talkingRun(child: FakeChild): void {
  child.marker('pid', 10).marker('started');
  setTimeout(() => {
    child.stdout.write('result\n');
    child.stderr.write('note\n');
    child.marker('exit', 0);
    child.exit(0);
  }, 20);
}

describe('exec progress on stderr', () => {
  it('on a terminal: "connecting to <host>…", then "started on <host>", erased before the first output', async () => {
    const { code, io } = await exec(fakeExecutor(talkingRun), { tty: true });
    expect(code).toBe(0);
    expect(io.err()).toContain('sshwrap: connecting to box.example.com…');
    expect(io.err()).toContain(`${ERASE}sshwrap: started on box.example.com`);
    // The erase comes before the command's first output, on whichever stream.
    const firstOutput = io.writes.findIndex((write) => write.text === 'result\n');
    const lastErase = io.writes.map((write) => write.text).lastIndexOf(ERASE);
    expect(lastErase).toBeGreaterThan(-1);
    expect(lastErase).toBeLessThan(firstOutput);
    expect(io.writes.slice(firstOutput).some((write) => write.text.includes('sshwrap:'))).toBe(false);
    expect(io.out()).toBe('result\n');
    expect(rendered(io.err())).toBe('note\n');
  });

  it('on a terminal, output read before "started" erases the line and no progress comes back', async () => {
    const executor = fakeExecutor((child) => {
      child.marker('pid', 11);
      child.stdout.write('early\n');
      setTimeout(() => {
        child.marker('started').marker('exit', 0);
        child.exit(0);
      }, 20);
    });
    const { io } = await exec(executor, { tty: true });
    const firstOutput = io.writes.findIndex((write) => write.text === 'early\n');
    expect(io.writes[firstOutput - 1]).toEqual({ stream: 'stderr', text: ERASE });
    expect(io.writes.slice(firstOutput).some((write) => write.text.includes('sshwrap:'))).toBe(false);
    expect(rendered(io.err())).toBe('');
  });

  it('on a terminal, the line goes at the first byte, even when that byte is half a character not yet printable', async () => {
    const emoji = Buffer.from('😀\n');
    let errMeanwhile = '';
    const io = memoryIo(env, '', {
      stderrIsTTY: true,
      executor: fakeExecutor((child) => {
        child.marker('pid', 14).marker('started');
        child.stdout.write(emoji.subarray(0, 2));
        setTimeout(() => {
          errMeanwhile = io.err();
          child.stdout.write(emoji.subarray(2));
          child.marker('exit', 0);
          child.exit(0);
        }, 30);
      }),
    });
    expect(await run(['exec', 'box', '--remotes', remotesFile, '--', 'job'], io)).toBe(0);
    expect(errMeanwhile).toContain('started on box.example.com');
    expect(rendered(errMeanwhile)).toBe('');
    expect(io.out()).toBe('😀\n');
  });

  it('on a terminal, a run refused after the remote was picked (a configuration error): the line is gone before the report', async () => {
    const unsafe = tmp.write('unsafe.json', JSON.stringify([{ id: 'box', host: 'box.example.com', customOptions: { ProxyCommand: 'nc %h %p' } }]));
    const io = memoryIo(env, '', { stderrIsTTY: true, executor: fakeExecutor(talkingRun) });
    expect(await run(['exec', 'box', '--remotes', unsafe, '--', 'job'], io)).toBe(2);
    expect(io.err()).toContain('connecting to box.example.com');
    expect(rendered(io.err())).toMatch(/^sshwrap: customOptions\.ProxyCommand runs a command.*\n {2}hint: .+\n$/);
  });

  it('on a terminal, a silent command: the line is erased when the run ends', async () => {
    const executor = fakeExecutor((child) => {
      child.marker('pid', 12).marker('started');
      setTimeout(() => {
        child.marker('exit', 0);
        child.exit(0);
      }, 20);
    });
    const { io } = await exec(executor, { tty: true });
    expect(io.err()).toContain('started on box.example.com');
    expect(io.err().endsWith(ERASE)).toBe(true);
    expect(rendered(io.err())).toBe('');
  });

  it('on a terminal, a silent command stopped by --timeout: the report starts on a clean line', async () => {
    const executor = fakeExecutor((child, index) => {
      if (index > 0) return child.exit(0); // the remote kill
      child.marker('pid', 13).marker('started');
    });
    const { code, io } = await exec(executor, { tty: true, flags: ['--timeout', '0.2'] });
    expect(code).toBe(124);
    expect(io.err()).toContain('started on box.example.com');
    expect(rendered(io.err())).toBe('sshwrap: timeout: stopped after --timeout 0.2 s\n');
  });

  it('on a terminal, a failed connection: nothing of the progress is left above the failure report', async () => {
    const executor = fakeExecutor((child) => {
      child.stderr.write('ssh: connect to host box.example.com port 22: Connection refused\r\n');
      child.exit(255);
    });
    const { code, io } = await exec(executor, { tty: true });
    expect(code).toBe(254);
    expect(io.err()).toContain('connecting to box.example.com');
    // Retried tries redraw the progress line; one report remains, quoting ssh's own message once.
    expect(rendered(io.err())).toMatch(/^sshwrap: connection-refused: SSH connection refused\n {2}ssh: connect to host box\.example\.com port 22: Connection refused\n {2}hint: .+\n$/);
    expect(rendered(io.err())).not.toContain('connecting to');
  });

  it.each<[string, { tty: boolean; env?: NodeJS.ProcessEnv; flags?: string[] }]>([
    ['stderr is not a terminal (pipe, CI)', { tty: false }],
    ['a dumb terminal', { tty: true, env: { TERM: 'dumb' } }],
    ['--json', { tty: true, flags: ['--json'] }],
  ])('%s: no progress text at all', async (_name, options) => {
    const { code, io } = await exec(fakeExecutor(talkingRun), options);
    expect(code).toBe(0);
    if (options.flags) expect(io.err()).toBe('');
    else expect(io.err()).toBe('note\n');
    expect(io.err()).not.toContain('\x1b');
    expect(io.out()).not.toContain('connecting');
  });
});
