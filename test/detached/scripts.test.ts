import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseStatusLine, parseStatusLines } from '../../src/detached/remote.js';
import {
  buildDetachedCancelScript,
  buildDetachedLauncher,
  buildDetachedListScript,
  buildDetachedPruneScript,
  buildDetachedStatusScript,
  runDirWord,
  assertRunId,
} from '../../src/wrap/detached-script.js';

// The remote scripts run here under the local /bin/sh against a run directory in a temp dir:
// the same POSIX sh the remote runs them with, minus ssh (the integration test covers that).

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-detached-'));
const started: number[] = [];
afterAll(() => {
  for (const pid of started) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  fs.rmSync(base, { recursive: true, force: true });
});

function sh(script: string, args: string[] = [], input = '', env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync('/bin/sh', ['-c', script, 'sshwrap', ...args], { input, env, encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Field `n` (1-based) of /proc/<pid>/stat, counted from after the comm field. */
function statField(pid: number, n: number): string {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[n - 3]!;
}

/** A PATH directory with only the listed tools (links to the real ones). */
function pathWith(tools: readonly string[]): string {
  const dir = fs.mkdtempSync(path.join(base, 'bin-'));
  for (const tool of tools) {
    const real = spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    if (real) fs.symlinkSync(real, path.join(dir, tool));
  }
  return dir;
}

const BASE_TOOLS = ['cat', 'mkdir', 'rm', 'mv', 'date', 'sleep', 'wc', 'tr', 'ps', 'tail', 'head', 'nohup'];

function launch(runId: string, agent: string[], prompt: string, env: NodeJS.ProcessEnv = process.env) {
  const result = sh(buildDetachedLauncher({ runId, runDir: base }), agent, prompt, env);
  const line = /^sshwrap-detached (\d+) (\S+) (\S+) (\d+)$/m.exec(result.stdout);
  if (line) started.push(Number(line[1]));
  return { ...result, pid: line ? Number(line[1]) : undefined };
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !condition()) await new Promise((resolve) => setTimeout(resolve, 50));
  return condition();
}

describe('detached launcher (local /bin/sh)', () => {
  it('with setsid: the wrapper leads its own session and group, takes the prompt and removes its file', async () => {
    const run = launch('r-prompt', ['/bin/sh', '-c', 'cat; echo "[$SW_V]" >&2; exit 3'], 'the prompt\n', { ...process.env, SW_V: 'v' });
    expect(run.code).toBe(0);
    expect(run.pid).toBeGreaterThan(1);
    const dir = path.join(base, 'r-prompt');
    expect(await waitFor(() => fs.existsSync(path.join(dir, 'exit')))).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'out'), 'utf8')).toBe('the prompt\n');
    expect(fs.readFileSync(path.join(dir, 'err'), 'utf8')).toBe('[v]\n');
    expect(fs.readFileSync(path.join(dir, 'exit'), 'utf8')).toMatch(/^3 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \d+\n$/);
    expect(fs.existsSync(path.join(dir, 'prompt'))).toBe(false);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, 'out')).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['setsid', [...BASE_TOOLS, 'setsid'], true],
    ['perl POSIX::setsid (macOS has no setsid)', [...BASE_TOOLS, 'perl'], true],
  ] as const)('detaches with %s: own session, own process group, recorded start time', async (_name, tools, ownSession) => {
    const runId = `r-${tools.at(-1)}`;
    const run = launch(runId, ['sleep', '30'], '', { ...process.env, PATH: pathWith(tools) });
    expect(run.code, run.stderr).toBe(0);
    const pid = run.pid!;
    expect(statField(pid, 5)).toBe(String(pid)); // process group
    if (ownSession) expect(statField(pid, 6)).toBe(String(pid)); // session
    const recorded = fs.readFileSync(path.join(base, runId, 'pid'), 'utf8').split(' ');
    expect(recorded[0]).toBe(String(pid));
    expect(recorded[1]).toBe(statField(pid, 22));
    process.kill(-pid, 'SIGKILL');
  });

  it('without setsid and perl it still starts the run and records its exit (job control + nohup)', async () => {
    const run = launch('r-nohup', ['sh', '-c', 'echo hi'], '', { ...process.env, PATH: pathWith([...BASE_TOOLS, 'sh']) });
    expect(run.code, run.stderr).toBe(0);
    expect(await waitFor(() => fs.existsSync(path.join(base, 'r-nohup', 'exit')))).toBe(true);
    expect(fs.readFileSync(path.join(base, 'r-nohup', 'out'), 'utf8')).toBe('hi\n');
  });

  it('refuses a taken run id (126) and a missing agent (127, no directory left)', () => {
    fs.mkdirSync(path.join(base, 'r-taken'));
    expect(launch('r-taken', ['true'], '').code).toBe(126);
    expect(launch('r-missing', ['sshwrap-no-such-agent'], '').code).toBe(127);
    expect(fs.existsSync(path.join(base, 'r-missing'))).toBe(false);
  });
});

describe('detached status (local /bin/sh)', () => {
  function fakeRun(runId: string, pidLine: string, exitLine?: string): void {
    const dir = path.join(base, runId);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'pid'), `${pidLine}\n`);
    fs.writeFileSync(path.join(dir, 'out'), 'abc');
    fs.writeFileSync(path.join(dir, 'err'), '');
    if (exitLine) fs.writeFileSync(path.join(dir, 'exit'), `${exitLine}\n`);
  }
  const status = (runId: string) => parseStatusLine(sh(buildDetachedStatusScript({ runId, runDir: base })).stdout.trim());

  it('a live pid with the recorded start time is running; the same pid with another start time (reused) is lost', () => {
    const child = spawn('sleep', ['30']);
    started.push(child.pid!);
    try {
      const startTime = statField(child.pid!, 22);
      fakeRun('r-live', `${child.pid} ${startTime} 2026-01-01T00:00:00Z 1767225600`);
      fakeRun('r-reused', `${child.pid} ${Number(startTime) - 1} 2026-01-01T00:00:00Z 1767225600`);
      expect(status('r-live')).toMatchObject({ state: 'running', remotePid: child.pid, stdoutBytes: 3, stderrBytes: 0, startedAt: '2026-01-01T00:00:00Z' });
      expect(status('r-reused')).toMatchObject({ state: 'lost', remotePid: child.pid });
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('an exit record wins; a vanished pid without one is lost; an unknown run exits 3', () => {
    fakeRun('r-exited', '999999 1 2026-01-01T00:00:00Z 1767225600', '143 2026-01-01T00:05:00Z 1767225900');
    fakeRun('r-gone', '999999 1 2026-01-01T00:00:00Z 1767225600');
    expect(status('r-exited')).toEqual({
      runId: 'r-exited',
      state: 'exited',
      exitCode: 143,
      remoteSignal: 'SIGTERM',
      remotePid: 999999,
      startedAt: '2026-01-01T00:00:00Z',
      endedAt: '2026-01-01T00:05:00Z',
      stdoutBytes: 3,
      stderrBytes: 0,
    });
    expect(status('r-gone')).toMatchObject({ state: 'lost' });
    expect(sh(buildDetachedStatusScript({ runId: 'r-unknown', runDir: base })).code).toBe(3);
  });

  it('list reports every started run; prune removes only finished runs past the limit', () => {
    const child = spawn('sleep', ['30']);
    started.push(child.pid!);
    fakeRun('r-running', `${child.pid} ${statField(child.pid!, 22)} 2026-01-01T00:00:00Z 1767225600`);
    const listed = parseStatusLines(sh(buildDetachedListScript({ runDir: base })).stdout).map((run) => run.runId);
    expect(listed).toEqual(expect.arrayContaining(['r-exited', 'r-gone']));
    const pruned = sh(buildDetachedPruneScript({ runDir: base, olderThanSeconds: 60 })).stdout;
    // Both ended/started in 2026-01-01 by their records: old enough. The live ones stay.
    expect(pruned).toContain('P r-exited\n');
    expect(pruned).toContain('P r-gone\n');
    expect(pruned).not.toContain('r-running');
    expect(fs.existsSync(path.join(base, 'r-running'))).toBe(true);
    child.kill('SIGKILL');
  });

  it('cancel of a finished run changes nothing', () => {
    fakeRun('r-done', '999999 1 2026-01-01T00:00:00Z 1767225600', '0 2026-01-01T00:05:00Z 1767225900');
    const line = sh(buildDetachedCancelScript({ runId: 'r-done', runDir: base, graceMs: 100 })).stdout.trim();
    expect(parseStatusLine(line)).toMatchObject({ state: 'exited', exitCode: 0 });
  });
});

describe('detached script inputs', () => {
  it('run ids are directory names; runDir is absolute or ~/', () => {
    expect(() => assertRunId('../x')).toThrow(/runId/);
    expect(() => assertRunId('.hidden')).toThrow(/runId/);
    expect(() => assertRunId('a/b')).toThrow(/runId/);
    expect(() => assertRunId('r-1.ok_X')).not.toThrow();
    expect(runDirWord(undefined)).toBe('"$HOME"/.sshwrap/runs');
    expect(runDirWord('/var/tmp/x y/')).toBe(`'/var/tmp/x y'`);
    expect(() => runDirWord('relative/dir')).toThrow(/runDir/);
    expect(() => runDirWord('/a\nb')).toThrow(/runDir/);
  });

  it('status lines: anything but a well-formed R line is ignored', () => {
    expect(parseStatusLine('R r-1 running 12 2026-01-01T00:00:00Z - - 0 0')).toMatchObject({ state: 'running', remotePid: 12 });
    expect(parseStatusLine('R r-1 sleeping 12 x - - 0 0')).toBeUndefined();
    expect(parseStatusLine('R r-1 running x x - - 0 0')).toBeUndefined();
    expect(parseStatusLine('hello')).toBeUndefined();
  });
});
