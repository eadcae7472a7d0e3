import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWithSsh } from '../../src/exec/index.js';
import { startTestSshServer, type TestSshServer } from '../../src/testing/index.js';
import { sshdAvailable } from '../testbed/index.js';

// Each example in examples/ runs as its own process, the way a user runs it
// (`node --import tsx examples/<name>.ts <remotes.json>`), against two throwaway sshds for the
// current user (sshwrap/testing: no testbed users). The examples import 'sshwrap', which resolves
// to dist/ through package.json "exports": they exercise the published build.

const root = fileURLToPath(new URL('../..', import.meta.url));
const available = sshdAvailable({ users: 'current' });

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment of a user's shell: without vitest's own variables (a nested vitest would read them). */
function userEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST') && name !== 'NODE_ENV' && name !== 'TEST' && name !== 'FORCE_COLOR'));
  return { ...env, NO_COLOR: '1' };
}

function runExample(args: readonly string[], options: { timeoutMs?: number; onLine?: (line: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) options.onLine?.(line, child);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const example = (name: string, ...args: string[]) => ['--import', 'tsx', path.join('examples', name), ...args];

/** `<prefix>: <rest>` lines of an example's output, by prefix (the last one wins). */
function byPrefix(stdout: string): Map<string, string> {
  return new Map(stdout.split('\n').flatMap((line) => (/^([\w-]+): (.*)$/.exec(line) ? [[line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)] as const] : [])));
}

describe.skipIf(!available.ok)('examples/ run against a real sshd', () => {
  let a: TestSshServer;
  let b: TestSshServer;
  let dir: string;
  let remotesFile: string;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(root, 'dist/index.js')) || !fs.existsSync(path.join(root, 'dist/testing.js'))) {
      throw new Error("The examples import 'sshwrap', i.e. dist/: run `npm run build` first");
    }
    [a, b] = await Promise.all([startTestSshServer({ id: 'host-a' }), startTestSshServer({ id: 'host-b' })]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sshwrap-examples-'));
    remotesFile = path.join(dir, 'remotes.json');
    fs.writeFileSync(remotesFile, JSON.stringify([a.remote, b.remote]));
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Remote processes whose command line contains `token` (the `[x]` trick keeps pgrep from matching itself). */
  async function remoteProcesses(token: string): Promise<string> {
    const result = await runWithSsh({ command: 'pgrep', args: ['-af', `[${token[0]}]${token.slice(1)}`], cwd: '~' }, a.agentSsh, a.store);
    expect(result.errorKind).toBeUndefined();
    return result.stdout;
  }

  /** Local ssh ControlMasters for one of the servers (the examples must close theirs). */
  function localMasters(server: TestSshServer): string[] {
    const ps = spawnSync('ps', ['-A', '-o', 'args='], { encoding: 'utf8' }).stdout;
    return ps.split('\n').filter((line) => line.includes('ControlMaster=yes') && line.includes(`-p ${server.port}`));
  }

  it('electron-main: a store adapter over an electron-store-like object, IPC-safe replies', async () => {
    const exit = await runExample(example('electron-main.ts', remotesFile));
    expect(exit.stderr).toBe('');
    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain('saved 2 remote(s); passphrase persisted: false\n');
    const lines = byPrefix(exit.stdout);
    const reply = (name: string) => JSON.parse(lines.get(name) ?? 'null') as Record<string, unknown>;
    expect(reply('remote')).toMatchObject({ ok: true, output: expect.stringMatching(/ answered a 18-character prompt$/), exitCode: 0 });
    expect(reply('local')).toMatchObject({ ok: true, output: expect.stringMatching(/ answered a 19-character prompt$/), exitCode: 0 });
    expect(reply('unknownRemote')).toMatchObject({ ok: false, error: { kind: 'REMOTE_NOT_FOUND', field: 'remoteId', hint: expect.any(String) } });
    expect(reply('missingCwd')).toMatchObject({ ok: false, error: { kind: 'cwd-missing', hint: expect.any(String) } });
    expect(lines.get('cancelled')).toBe('true');
    expect(reply('cancelledReply')).toMatchObject({ ok: false, error: { kind: 'aborted' } });
    expect(localMasters(a)).toEqual([]);
  });

  it('job-service: a queue on one pooled connection, timeouts, abort on SIGTERM, closeAll', async () => {
    let pid: number | undefined;
    let remoteBeforeStop = '';
    const seen = new Set<string>();
    const exit = await runExample(example('job-service.ts', remotesFile), {
      onLine: (line, child) => {
        pid ??= Number(/^service: pid (\d+)/.exec(line)?.[1]) || undefined;
        if (line === 'forever: started' || line.startsWith('slow: timed out')) seen.add(line.slice(0, line.indexOf(':')));
        // The last job runs until the service is stopped: once the slow one has timed out, check
        // that it runs remotely, then stop the service.
        if (seen.size === 2 && !remoteBeforeStop) {
          remoteBeforeStop = 'checking';
          void remoteProcesses(`job-service-${pid}`).then((found) => {
            remoteBeforeStop = found;
            child.kill('SIGTERM');
          });
        }
      },
    });
    expect(exit.stderr).toBe('');
    expect(exit.code).toBe(0);
    const lines = byPrefix(exit.stdout);
    expect(lines.get('build')).toMatch(/^exit 0, stdout "building in \/.*\\n", stderr ""$/);
    expect(lines.get('flaky')).toBe('exit 3, stdout "", stderr "tests failed\\n"');
    expect(lines.get('slow')).toMatch(/^timed out after \d+ ms/);
    expect(lines.get('forever')).toBe('aborted by shutdown (stopped on the remote too)');
    expect(exit.stdout).toContain('reused the pooled connection');
    expect(exit.stdout).toMatch(/service: SIGTERM: aborting running jobs, dropping 0 queued\n[^]*service: connections closed, bye\n$/);
    expect(remoteBeforeStop).toContain(`job-service-${pid}`);
    expect(await remoteProcesses(`job-service-${pid}`)).toBe('');
    expect(localMasters(a)).toEqual([]);
  });

  it('fan-out: runOnMany one agent per host (a dead host is a result), pickHost places a task', async () => {
    const withOffline = path.join(dir, 'remotes-offline.json');
    fs.writeFileSync(withOffline, JSON.stringify([a.remote, b.remote, { id: 'offline', host: '127.0.0.1', port: 1 }]));
    const exit = await runExample(example('fan-out.ts', withOffline));
    expect(exit.stderr).toBe('');
    expect(exit.code).toBe(0);
    const user = os.userInfo().username;
    const lines = exit.stdout.split('\n');
    // `getconf _NPROCESSORS_ONLN` on the remote may differ from Node's count in a container: any number.
    expect(exit.stdout).toMatch(new RegExp(`^host-a: ok: review shard 1 for host-a on ${user} \\(\\d+ CPUs\\)$`, 'm'));
    expect(exit.stdout).toMatch(new RegExp(`^host-b: ok: review shard 2 for host-b on ${user} \\(\\d+ CPUs\\)$`, 'm'));
    expect(lines).toContainEqual(expect.stringMatching(/^offline: failed: connection-refused \(.+\)$/));
    expect(lines.filter((line) => line.startsWith('progress: '))).toHaveLength(3);
    expect(lines).toContainEqual(expect.stringMatching(/^progress: 3\/3 done, 1 failed \(/));
    const picked = /^picked (host-a|host-b): \d+ CPUs, load [\d.]+, sh at \/\S+$/m.exec(exit.stdout);
    expect(picked).not.toBeNull();
    expect(exit.stdout).toMatch(new RegExp(`^${picked![1]}: ok: the heavy task on ${user} \\(\\d+ CPUs\\)$`, 'm'));
    expect([...localMasters(a), ...localMasters(b)]).toEqual([]);
  });

  it('execa-executor: every process sshwrap starts goes through an execa adapter', async () => {
    const exit = await runExample(example('execa-executor.ts', remotesFile));
    expect(exit.stderr).toBe('');
    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain('testConnection: ok, sh found\n');
    expect(exit.stdout).toContain('run 1: exit 0, the remote read 10000 bytes (sent 10000)\n');
    expect(exit.stdout).toContain('run 2: exit 0, the remote read 10000 bytes (sent 10000)\n');
    expect(exit.stdout).toContain('missing ssh binary: errorKind spawn-failed\n');
    const started = exit.stdout.slice(exit.stdout.indexOf('execa started')).split('\n').slice(1).map((line) => line.trim()).filter(Boolean);
    // The probe, the master, both runs through it, and closeAll's exit: all through execa.
    expect(started.filter((line) => line === 'ssh (a run)')).toHaveLength(3);
    expect(started).toContain('ssh ControlMaster (the pooled connection)');
    expect(started).toContain('ssh -O exit (control command)');
    expect(localMasters(a)).toEqual([]);
  });

  it("agent-runner.test.ts: a consumer's vitest test with sshwrap/testing passes under its own config", async () => {
    const exit = await runExample([path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'examples/vitest.config.ts', '--reporter', 'verbose'], { timeoutMs: 120_000 });
    expect(exit.code, exit.stdout + exit.stderr).toBe(0);
    expect(exit.stdout).toMatch(/Tests\s+4 passed \(4\)/);
    expect(exit.stdout).toContain('a cancel stops the remote process, not just the local ssh');
  });
});
