import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { runWithSsh, spawnWithSsh, type RunWithSshOptions } from '../../src/exec/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { fakeExecutor, type FakeChild } from './fake-executor.js';

const remote = { id: 'r1', host: 'gpu.example', username: 'dev', port: 2222 };
const store = createMemoryStoreAdapter([remote]);
const agent = { enabled: true, remoteId: 'r1' };
const config = { command: 'claude', args: ['--print'], cwd: '/srv/app' };

function run(behave: (child: FakeChild, index: number) => void, options: RunWithSshOptions = {}, fail?: 'sync' | 'async') {
  const executor = fakeExecutor(behave, fail);
  return { executor, result: runWithSsh(config, agent, store, { shell: 'posix', executor, ...options }) };
}

describe('runWithSsh (fake executor)', () => {
  it('reports the remote exit status from the markers and strips them, even split across chunks', async () => {
    const seen: string[] = [];
    const { result } = run(
      (child) => {
        const t = child.token;
        child.stderr.write(`\n${t}:pid:99\n\n${t}:sta`);
        child.stderr.write(`rted\nwarn`);
        child.stdout.write('hello ');
        child.stdout.write(Buffer.from('wörld').subarray(0, 2));
        child.stdout.write(Buffer.from('wörld').subarray(2));
        child.stderr.write(`ing\n\n${t}:exit:3`);
        child.stderr.write('\n');
        child.exit(3);
      },
      { onStderr: (text) => seen.push(text) },
    );
    const r = await result;
    expect(r).toMatchObject({ exitCode: 3, remoteExitCode: 3, remotePid: 99, remoteStarted: true, stdout: 'hello wörld', stderr: 'warning\n' });
    expect(r.errorKind).toBeUndefined();
    expect(seen.join('')).toBe('warning\n');
  });

  it('a pid marker forged by the command (late, or pid 1) never aims the remote kill', async () => {
    const { executor, result } = run(
      (child, index) => {
        if (index > 0) return child.exit(0); // the kill connection
        child.marker('pid', 4321).marker('started');
        child.stderr.write(`\n${child.token}:pid:1\n`);
      },
      { timeoutMs: 50, killGraceMs: 10 },
    );
    const r = await result;
    expect(r).toMatchObject({ timedOut: true, remotePid: 4321 });
    const kill = executor.children[1];
    expect(kill).toBeDefined();
    expect(kill!.args.join(' ')).not.toMatch(/kill -TERM -1\b/);

    const early = run(
      (child, index) => {
        if (index > 0) return child.exit(0);
        child.marker('pid', 1).marker('started');
      },
      { timeoutMs: 50, killGraceMs: 10 },
    );
    expect((await early.result).remotePid).toBeUndefined();
    expect(early.executor.children).toHaveLength(1); // no kill connection for pid 1
  });

  it('remote exit 255 is an exit code, not an ssh failure', async () => {
    const r = await run((child) => {
      child.marker('pid', 1).marker('started').marker('exit', 255);
      child.exit(255);
    }).result;
    expect(r).toMatchObject({ exitCode: 255, remoteExitCode: 255, remoteStarted: true, connectionLost: false });
    expect(r.errorKind).toBeUndefined();
  });

  it('ssh exit 255 without markers is classified from ssh stderr', async () => {
    const r = await run((child) => {
      child.stderr.write('dev@gpu.example: Permission denied (publickey).\r\n');
      child.exit(255);
    }).result;
    expect(r).toMatchObject({ exitCode: 255, remoteStarted: false, errorKind: 'auth-failed' });
    expect(r.hint).toMatch(/authorized_keys/);
  });

  it('the command output after "started" is never classified', async () => {
    const r = await run((child) => {
      child.marker('pid', 1).marker('started');
      child.stderr.write('Permission denied (publickey).\nConnection refused\n');
      child.marker('exit', 1);
      child.exit(1);
    }).result;
    expect(r.errorKind).toBeUndefined();
    expect(r.stderr).toBe('Permission denied (publickey).\nConnection refused\n');
  });

  it('not-found marker → agent-not-found, even after noisy rc files', async () => {
    const r = await run((child) => {
      child.stderr.write('Permission denied: /etc/profile.d/x.sh\n');
      child.marker('pid', 1).marker('not-found');
      child.exit(127);
    }).result;
    expect(r).toMatchObject({ exitCode: 127, errorKind: 'agent-not-found', remoteStarted: false });
  });

  it('started without an exit marker is a lost connection, not an error kind', async () => {
    const r = await run((child) => {
      child.marker('pid', 1).marker('started');
      child.exit(255);
    }).result;
    expect(r).toMatchObject({ connectionLost: true, remoteStarted: true });
    expect(r.errorKind).toBeUndefined();
  });

  it('ssh that cannot start (ENOENT) → spawn-failed, nothing thrown', async () => {
    const r = await run(() => {}, {}, 'async').result;
    expect(r).toMatchObject({ exitCode: null, errorKind: 'spawn-failed', remoteStarted: false });
    expect(r.errorMessage).toMatch(/ENOENT/);
  });

  it('E2BIG thrown synchronously by spawn → spawn-failed', async () => {
    const r = await run(() => {}, {}, 'sync').result;
    expect(r).toMatchObject({ errorKind: 'spawn-failed' });
    expect(r.errorMessage).toMatch(/E2BIG/);
  });

  it('an execa-style dummy that never emits spawn/error but rejects its promise is spawn-failed, not a hang', async () => {
    const executor = {
      spawn() {
        // What execa returns when child_process.spawn throws: a bare ChildProcess plus a rejected promise.
        const dummy = new EventEmitter() as EventEmitter & Record<string, unknown>;
        const early = Promise.reject(Object.assign(new Error('Command failed with E2BIG'), { cause: Object.assign(new Error('spawn E2BIG'), { code: 'E2BIG' }) }));
        Object.assign(dummy, { pid: undefined, stdin: null, stdout: null, stderr: null, exitCode: null, signalCode: null, kill: () => false });
        Object.assign(dummy, { then: early.then.bind(early) });
        return dummy as never;
      },
    };
    const r = await runWithSsh(config, agent, store, { executor });
    expect(r).toMatchObject({ errorKind: 'spawn-failed', remoteStarted: false });
    expect(r.errorMessage).toMatch(/E2BIG/);
  });

  it('spawnWithSsh turns spawn failures into SshWrapError SPAWN_FAILED', async () => {
    const executor = fakeExecutor(() => {}, 'async');
    const error = await spawnWithSsh(config, agent, store, { executor }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SshWrapError);
    expect((error as SshWrapError).code).toBe('SPAWN_FAILED');
    expect(executor.children[0]!.stdin.destroyed).toBe(true);
  });

  it('bad input throws SshWrapError before anything is spawned', async () => {
    const executor = fakeExecutor(() => {});
    await expect(runWithSsh({ ...config, command: '' }, agent, store, { executor })).rejects.toBeInstanceOf(SshWrapError);
    await expect(runWithSsh(config, { enabled: true, remoteId: 'nope' }, store, { executor })).rejects.toMatchObject({ code: 'REMOTE_NOT_FOUND' });
    await expect(runWithSsh(config, agent, store, { executor, timeoutMs: -1 })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    expect(executor.children).toHaveLength(0);
  });

  it('timeout before the command started → errorKind timeout; SIGKILL after the grace period', async () => {
    const { executor, result } = run(
      (child) => {
        child.ignore.add('SIGTERM');
      },
      { timeoutMs: 30, killGraceMs: 30 },
    );
    const r = await result;
    expect(r).toMatchObject({ timedOut: true, errorKind: 'timeout', signal: 'SIGKILL' });
    expect(executor.children[0]!.signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(executor.children).toHaveLength(1); // no pid marker: no remote kill attempted
  });

  it('abort after start kills local ssh and the remote process group over a second connection', async () => {
    const controller = new AbortController();
    const { executor, result } = run(
      (child, index) => {
        if (index === 0) {
          child.marker('pid', 31337).marker('started');
          setTimeout(() => controller.abort(), 10);
        } else {
          child.exit(0);
        }
      },
      { signal: controller.signal },
    );
    const r = await result;
    expect(r).toMatchObject({ aborted: true, remoteStarted: true, signal: 'SIGTERM', connectionLost: false });
    expect(r.errorKind).toBeUndefined();
    expect(executor.children).toHaveLength(2);
    const killer = executor.children[1]!;
    expect(killer.command).toBe('ssh');
    expect(killer.args.at(-2)).toBe('dev@gpu.example');
    // Sent through anyShellCommand, so it decodes to the kill script under any login shell.
    expect(killer.args.at(-1)).toMatch(/^exec \/bin\/sh -c /);
  });

  it('an already aborted signal spawns nothing', async () => {
    const { executor, result } = run(() => {}, { signal: AbortSignal.abort() });
    expect(await result).toMatchObject({ aborted: true, remoteStarted: false });
    expect(executor.children).toHaveLength(0);
  });

  it('maxBuffer truncates and flags but keeps draining and streaming', async () => {
    let streamed = 0;
    const r = await run(
      (child) => {
        child.marker('pid', 1).marker('started');
        for (let i = 0; i < 10; i++) child.stdout.write('x'.repeat(100));
        child.marker('exit', 0);
        child.exit(0);
      },
      { maxBuffer: 250, onStdout: (text) => (streamed += text.length) },
    ).result;
    expect(r.stdout).toBe('x'.repeat(250));
    expect(r.stdoutTruncated).toBe(true);
    expect(r.stderrTruncated).toBe(false);
    expect(streamed).toBe(1000);
  });

  it('does not hang when ssh exits but a ControlPersist master keeps its pipes open', async () => {
    const started = Date.now();
    const r = await run((child) => {
      child.marker('pid', 1).marker('started').marker('exit', 0);
      child.stdout.write('done\n');
      child.exit(0, null, { closeStreams: false });
    }).result;
    expect(r).toMatchObject({ exitCode: 0, stdout: 'done\n', remoteExitCode: 0 });
    // Without the stream grace this never resolves; any finite bound proves it, so a generous one.
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);

  it("the command's stdout reaches callbacks after `started`, even when it is read before the marker", async () => {
    const order: string[] = [];
    const r = await run(
      (child) => {
        child.marker('pid', 7);
        // stdout and stderr are two pipes: this chunk is read before the marker that preceded it.
        child.stdout.write('early\n');
        setTimeout(() => {
          child.marker('started');
          child.marker('exit', 0);
          child.exit(0);
        }, 50);
      },
      { onEvent: (event) => order.push(event.type), onStdout: (text) => order.push(`stdout:${text}`) },
    ).result;
    expect(r).toMatchObject({ stdout: 'early\n', remoteExitCode: 0 });
    expect(order.filter((entry) => entry === 'started' || entry.startsWith('stdout') || entry === 'first-byte')).toEqual(['started', 'first-byte', 'stdout:early\n']);
  });

  it('keeps reading after ssh exits while its pipes still deliver (a loaded machine), until they go quiet', async () => {
    const r = await run((child) => {
      child.marker('pid', 1).marker('started');
      child.exit(0, null, { closeStreams: false });
      // The rest of the output is read later than a fixed 1 s grace after the exit would wait.
      let sent = 0;
      const timer = setInterval(() => {
        if (sent++ < 5) return void child.stdout.write(`late ${sent}\n`);
        clearInterval(timer);
        child.marker('exit', 0);
      }, 300);
    }).result;
    expect(r).toMatchObject({ exitCode: 0, stdout: 'late 1\nlate 2\nlate 3\nlate 4\nlate 5\n', remoteExitCode: 0 });
  }, 30_000);

  it('lifeline: false keeps the raw contract: the prompt on stdin exactly once, then stdin ends', async () => {
    const prompt = 'p'.repeat(300_000) + '😀'.repeat(50_000);
    const executor = fakeExecutor((child) => {
      child.stdin.on('end', () => {
        child.marker('pid', 1).marker('started').marker('exit', 0);
        child.exit(0);
      });
    });
    const r = await runWithSsh({ ...config, prompt }, agent, store, { shell: 'posix', executor, lifeline: false });
    const child = executor.children[0]!;
    expect(Buffer.concat(child.stdinData).toString('utf8')).toBe(prompt);
    expect(child.stdinEnded).toBe(true);
    expect(r.wrapped.prompt).toBeUndefined();
    expect(r.wrapped.stdin).toBe(prompt);
  });

  it('with the lifeline (the default) the prompt is framed by its byte length and stdin stays open until ssh exits', async () => {
    const prompt = 'p'.repeat(300_000) + '😀'.repeat(50_000);
    const framed = `${Buffer.byteLength(prompt)}\n${prompt}`;
    let endedWhileRunning = false;
    const executor = fakeExecutor((child) => {
      child.stdin.on('end', () => (endedWhileRunning = true));
      let done = false;
      child.stdin.on('data', () => {
        if (done || Buffer.concat(child.stdinData).length < Buffer.byteLength(framed)) return;
        done = true;
        child.marker('pid', 1).marker('started').marker('exit', 0);
        setTimeout(() => child.exit(0), 50);
      });
    });
    const r = await runWithSsh({ ...config, prompt }, agent, store, { shell: 'posix', executor });
    const child = executor.children[0]!;
    expect(Buffer.concat(child.stdinData).toString('utf8')).toBe(framed);
    expect(endedWhileRunning).toBe(false);
    expect(r.wrapped.lifeline).toBe(true);
    expect(r.wrapped.stdin).toBe(framed);
    expect(r.wrapped.args.at(-1)).toContain('while read -r __sw_x; do :; done <&3; kill -TERM -$$');
  });

  it('lifeline: false ends stdin immediately when there is no input (the agent sees EOF, never waits)', async () => {
    const executor = fakeExecutor((child) => {
      child.stdin.on('end', () => child.exit(0));
      child.stdin.resume();
    });
    await runWithSsh(config, agent, store, { executor, lifeline: false });
    expect(executor.children[0]!.stdinEnded).toBe(true);
  });

  describe('local runs (SSH off)', () => {
    it('embeds a small prompt like the remote script would and merges env', async () => {
      const executor = fakeExecutor((child) => child.exit(0));
      const r = await runWithSsh({ ...config, prompt: '-v?', customEnvVars: { A: '1' } }, null, store, { executor, env: { PATH: '/bin' } });
      const child = executor.children[0]!;
      expect(child.command).toBe('claude');
      expect(child.args).toEqual(['--print', '--', '-v?']);
      expect(child.options).toMatchObject({ cwd: '/srv/app', env: { PATH: '/bin', A: '1' } });
      expect(r).toMatchObject({ exitCode: 0, remoteStarted: true });
      expect(r.remoteExitCode).toBeUndefined();
    });

    it('sends a large prompt on stdin', async () => {
      const prompt = 'q'.repeat(5000);
      const executor = fakeExecutor((child) => child.stdin.on('end', () => child.exit(0)));
      await runWithSsh({ ...config, prompt }, null, store, { executor });
      const child = executor.children[0]!;
      expect(child.args).toEqual(['--print']);
      expect(Buffer.concat(child.stdinData).toString()).toBe(prompt);
    });

    it('a missing local binary is agent-not-found, a missing local cwd is cwd-missing', async () => {
      const executor = fakeExecutor(() => {}, 'async');
      expect((await runWithSsh({ ...config, cwd: '/' }, null, store, { executor })).errorKind).toBe('agent-not-found');
      expect((await runWithSsh({ ...config, cwd: '/definitely/not/here' }, null, store, { executor })).errorKind).toBe('cwd-missing');
    });
  });

  it('onStdout sees multi-byte characters whole', async () => {
    const onStdout = vi.fn();
    await run(
      (child) => {
        const bytes = Buffer.from('é');
        child.stdout.write(bytes.subarray(0, 1));
        child.stdout.write(bytes.subarray(1));
        child.exit(0);
      },
      { onStdout },
    ).result;
    expect(onStdout.mock.calls.map(([t]) => t).join('')).toBe('é');
    expect(onStdout.mock.calls.every(([t]) => !String(t).includes('\uFFFD'))).toBe(true);
  });
});

describe('store reads per run', () => {
  it('runWithSsh resolves the remote once, however many layers need it', async () => {
    let reads = 0;
    const counting = { getSshRemoteById: (id: string) => (reads++, id === 'r1' ? store.getSshRemoteById!(id) : undefined), getSshRemotes: () => store.getSshRemotes() };
    const executor = fakeExecutor((child) => {
      child.marker('pid', 99).marker('started').marker('exit', 0);
      child.exit(0);
    });
    const result = await runWithSsh(config, agent, counting, { shell: 'posix', executor });
    expect(result.exitCode).toBe(0);
    expect(reads).toBe(1);
  });
});
