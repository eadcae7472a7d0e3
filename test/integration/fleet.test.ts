import { randomBytes } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HostFactsCache, NoSuitableHostError, pickHost, probeHost, runOnMany, type FleetEvent } from '../../src/fleet/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { NOISE_VARIABLE, remoteFor, type TestbedUser } from '../testbed/index.js';
import { eventually, processesWith, recordingExecutor, userFor } from '../exec/testbed-helpers.js';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/** The CLI as a real child process (source through tsx), as test/integration/cli.test.ts runs it. */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/cli/main.ts'), ...args], { cwd: REPO, env: { ...process.env, SSHWRAP_DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

const tb = inject('testbed');
const suffix = randomBytes(4).toString('hex');
// Unique names: other test files (and other checkouts' runs) share these users' homes and /tmp.
const AGENT = `swfleet-agent-${suffix}`;
const HUNG_AGENT = `swfleet-hung-${suffix}`;
const AGENT_SHELLS = ['bash', 'fish', 'tcsh'] as const;
const SHARED = `/tmp/swfleet-${suffix}`;

function installAgent(user: TestbedUser, name: string, body: string): string {
  const dir = path.join(user.home, '.local/bin');
  const { uid, gid } = fs.statSync(user.home);
  for (const part of [path.join(user.home, '.local'), dir]) {
    if (!fs.existsSync(part)) {
      fs.mkdirSync(part, { mode: 0o755 });
      fs.chownSync(part, uid, gid);
    }
  }
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  fs.chownSync(file, uid, gid);
  return file;
}

/** Intervals [start, end] per id, from the "start|end <id> <ns>" lines the jobs appended remotely. */
function intervals(file: string): Map<string, { start: bigint; end: bigint }> {
  const byId = new Map<string, { start: bigint; end: bigint }>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const [kind, id, ns] = line.split(' ');
    const entry = byId.get(id!) ?? { start: 0n, end: 0n };
    entry[kind as 'start' | 'end'] = BigInt(ns!);
    byId.set(id!, entry);
  }
  return byId;
}

/** Most intervals open at one instant (ends sort before starts at the same ns). */
function maxOverlap(spans: Iterable<{ start: bigint; end: bigint }>): number {
  const points = [...spans].flatMap(({ start, end }) => [
    { at: start, delta: 1 },
    { at: end, delta: -1 },
  ]);
  points.sort((a, b) => (a.at === b.at ? a.delta - b.delta : a.at < b.at ? -1 : 1));
  let open = 0;
  let max = 0;
  for (const point of points) max = Math.max(max, (open += point.delta));
  return max;
}

describe.skipIf(!tb)('fleets: probeHost, pickHost, runOnMany against the test sshd', () => {
  const info = tb!;
  const remotes = Array.from({ length: 20 }, (_, i) => remoteFor(info, info.users[i % info.users.length]!, { id: `fleet-${suffix}-${i}` }));
  const store = createMemoryStoreAdapter(remotes);

  beforeAll(() => {
    fs.mkdirSync(SHARED, { mode: 0o777 });
    fs.chmodSync(SHARED, 0o1777);
    for (const shell of AGENT_SHELLS) installAgent(userFor(info, shell), AGENT, 'case $1 in --version) echo "swfleet-agent 9.8.7 ($(id -un))"; echo second line ;; esac');
    // exec: the watchdog's KILL then hits the sleep itself, so nothing is left behind.
    installAgent(userFor(info, 'bash'), HUNG_AGENT, 'exec sleep 47.25');
  });
  afterAll(() => {
    for (const user of info.users) {
      fs.rmSync(path.join(user.home, '.local/bin', AGENT), { force: true });
      fs.rmSync(path.join(user.home, '.local/bin', HUNG_AGENT), { force: true });
    }
    fs.rmSync(SHARED, { recursive: true, force: true });
  });

  describe('probeHost', () => {
    it('reads this machine: cpus = nproc, memTotal within 1% of /proc/meminfo, no GPUs, disk of ~', async () => {
      const bash = userFor(info, 'bash');
      const remote = remoteFor(info, bash);
      const started = Date.now();
      const facts = await probeHost(remote, createMemoryStoreAdapter([]), { cache: new HostFactsCache() });
      const tookMs = Date.now() - started;
      expect(facts.cpus).toBe(Number(execFileSync('nproc', { encoding: 'utf8' }).trim()));
      const memTotal = Number(/MemTotal:\s+(\d+) kB/.exec(fs.readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024;
      expect(Math.abs(facts.memTotalBytes! - memTotal) / memTotal).toBeLessThan(0.01);
      expect(facts.memAvailableBytes).toBeGreaterThan(0);
      expect(facts.memAvailableBytes).toBeLessThanOrEqual(facts.memTotalBytes!);
      expect(facts).toMatchObject({ hostname: os.hostname(), os: 'linux', arch: os.machine(), kernel: os.release(), gpus: [], agents: {} });
      expect(facts.load1).toBeGreaterThanOrEqual(0);
      expect(facts.disk.path).toBe(bash.home);
      expect(facts.disk.freeBytes).toBeGreaterThan(0);
      expect(tookMs).toBeLessThan(10_000);
    });

    it.concurrent.each(AGENT_SHELLS)('finds the fake agent and its version under a %s login', async (shell) => {
      const user = userFor(info, shell);
      const facts = await probeHost(remoteFor(info, user), createMemoryStoreAdapter([]), { agents: [AGENT, 'swfleet-absent'], cache: new HostFactsCache() });
      expect(facts.agents).toEqual({
        [AGENT]: { path: path.join(user.home, '.local/bin', AGENT), version: `swfleet-agent 9.8.7 (${user.name})` },
        'swfleet-absent': null,
      });
      // The same PATH rules as runs: with remotePath 'inherit' ~/.local/bin is not searched.
      const inherited = await probeHost(remoteFor(info, user), createMemoryStoreAdapter([]), { agents: [AGENT], remotePath: 'inherit', cache: new HostFactsCache() });
      expect(inherited.agents[AGENT]).toBeNull();
    });

    it('a hung --version is killed after 5 s: the probe ends, the version is null, nothing is left running', async () => {
      const bash = userFor(info, 'bash');
      const started = Date.now();
      const facts = await probeHost(remoteFor(info, bash), createMemoryStoreAdapter([]), { agents: [HUNG_AGENT, AGENT], cache: new HostFactsCache() });
      expect(Date.now() - started).toBeLessThan(9_000);
      expect(facts.agents[HUNG_AGENT]).toEqual({ path: path.join(bash.home, '.local/bin', HUNG_AGENT), version: null });
      expect(facts.agents[AGENT]?.version).toBe(`swfleet-agent 9.8.7 (${bash.name})`);
      expect(processesWith('sleep 47.25')).toEqual([]);
    });

    it.concurrent.each(['bash', 'fish'] as const)('survives a chatty %s login (startup files printing marker-like noise)', async (shell) => {
      const user = userFor(info, shell);
      for (const mode of ['marker-like', 'stdout-no-newline', 'both']) {
        const noisy = remoteFor(info, user, { customOptions: { SetEnv: `${NOISE_VARIABLE}=${mode}` } });
        const facts = await probeHost(noisy, createMemoryStoreAdapter([]), { agents: [AGENT], cache: new HostFactsCache() });
        expect(facts.cpus, mode).toBe(Number(execFileSync('nproc', { encoding: 'utf8' }).trim()));
        expect(facts.agents[AGENT]?.version, mode).toBe(`swfleet-agent 9.8.7 (${user.name})`);
      }
    });

    it('serves the cache for cacheTtlMs, then probes again', async () => {
      const cache = new HostFactsCache();
      const remote = remotes[0]!;
      const executor = recordingExecutor();
      const first = await probeHost(remote.id, store, { cache, executor });
      const spawned = executor.children.length;
      expect(spawned).toBeGreaterThan(0);
      const cached = await probeHost(remote.id, store, { cache, executor });
      expect(cached).toEqual(first);
      expect(executor.children).toHaveLength(spawned); // no ssh for a cache hit
      // A cached entry without the agent asked for is no hit.
      await probeHost(remote.id, store, { cache, executor, agents: [AGENT] });
      expect(executor.children.length).toBeGreaterThan(spawned);
      const afterAgents = executor.children.length;
      await probeHost(remote.id, store, { cache, executor, cacheTtlMs: 0 });
      expect(executor.children.length).toBeGreaterThan(afterAgents);
    });

    it('an unreachable host is PROBE_FAILED with the errorKind', async () => {
      const closed = { ...remotes[0]!, id: 'closed', port: 1 };
      await expect(probeHost(closed, store, { cache: new HostFactsCache(), timeoutMs: 15_000 })).rejects.toMatchObject({
        code: 'PROBE_FAILED',
        cause: { errorKind: 'connection-refused' },
      });
    });
  });

  describe('pickHost', () => {
    const dash = (): string => remotes.find((r) => r.username === userFor(info, 'dash').name)!.id;
    const fish = (): string => remotes.find((r) => r.username === userFor(info, 'fish').name)!.id;

    it('chooses by need: only the fish user has the agent', async () => {
      const picked = await pickHost([dash(), fish()], store, { need: { agent: AGENT, memAvailableBytes: 1 }, cache: new HostFactsCache() });
      expect(picked.remoteId).toBe(fish());
      expect(picked.facts.agents[AGENT]?.version).toContain('9.8.7');
    });

    it('rejects every candidate with reasons, unreachable ones with their errorKind', async () => {
      const closed = { ...remotes[0]!, id: 'closed', port: 1 };
      const error = await pickHost([dash(), closed], store, { need: { memAvailableBytes: 2 ** 50, agent: AGENT }, cache: new HostFactsCache(), timeoutMs: 15_000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NoSuitableHostError);
      const { rejections } = error as NoSuitableHostError;
      expect(rejections[0]!.remoteId).toBe(dash());
      expect(rejections[0]!.reasons).toEqual([expect.stringMatching(/^memory: [\d.]+ GiB available, needs 1048576\.0 GiB$/), `agent: ${AGENT} not on the PATH`]);
      expect(rejections[1]).toMatchObject({ remoteId: 'closed', errorKind: 'connection-refused', reasons: [expect.stringMatching(/^unreachable: /)] });
    });
  });

  describe('runOnMany over 20 remotes', () => {
    const timed = (log: string, id: string, body = 'sleep 0.3') =>
      `echo "start ${id} $(date +%s%N)" >> ${log}; ${body}; echo "end ${id} $(date +%s%N)" >> ${log}; echo ${id}`;

    it('results in target order; never more than `concurrency` at once, measured remotely', async () => {
      const log = path.join(SHARED, 'concurrency.log');
      fs.writeFileSync(log, '', { mode: 0o666 });
      fs.chmodSync(log, 0o666);
      const events: FleetEvent[] = [];
      const results = await runOnMany(
        remotes.map((r) => r.id),
        (target) => ({ command: 'sh', args: ['-c', timed(log, String(target))], cwd: '~' }),
        store,
        { concurrency: 5, onEvent: (event) => events.push(event) },
      );
      expect(results.map((r) => r.remoteId)).toEqual(remotes.map((r) => r.id));
      expect(results.map((r) => r.stdout)).toEqual(remotes.map((r) => `${r.id}\n`));
      expect(results.every((r) => r.remoteExitCode === 0 && r.errorKind === undefined)).toBe(true);
      const spans = intervals(log);
      expect(spans.size).toBe(20);
      const overlap = maxOverlap(spans.values());
      expect(overlap).toBeLessThanOrEqual(5);
      expect(overlap).toBeGreaterThanOrEqual(3); // it did run in parallel
      const progress = events.filter((e) => e.type === 'progress');
      expect(progress.map((e) => e.done)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(progress.at(-1)).toMatchObject({ done: 20, total: 20, failed: 0 });
      expect(events.filter((e) => e.type === 'started')).toHaveLength(20);
    });

    it('perHostConcurrency counts per host:port, whatever the user', async () => {
      const log = path.join(SHARED, 'per-host.log');
      fs.writeFileSync(log, '', { mode: 0o666 });
      fs.chmodSync(log, 0o666);
      // Two machines as far as the key goes: 127.0.0.1:<port> and localhost:<port>.
      // localhost's key goes into a known_hosts of its own: the shared one may only hold the shared sshd.
      const localhostKnown = path.join(SHARED, 'known_hosts_localhost');
      fs.writeFileSync(localhostKnown, '');
      const targets = remotes.map((r, i) =>
        i % 2 === 0 ? r : { ...r, id: `${r.id}-lh`, host: 'localhost', customOptions: { ...r.customOptions, UserKnownHostsFile: localhostKnown } },
      );
      const results = await runOnMany(targets, (target, i) => ({ command: 'sh', args: ['-c', timed(log, `${i % 2 === 0 ? 'ip' : 'lh'}-${i}`)], cwd: '~' }), store, {
        concurrency: 3,
        perHostConcurrency: 2,
      });
      expect(results.every((r) => r.remoteExitCode === 0)).toBe(true);
      const spans = [...intervals(log)];
      expect(spans).toHaveLength(20);
      expect(maxOverlap(spans.filter(([id]) => id.startsWith('ip')).map(([, s]) => s))).toBeLessThanOrEqual(2);
      expect(maxOverlap(spans.filter(([id]) => id.startsWith('lh')).map(([, s]) => s))).toBeLessThanOrEqual(2);
      const all = maxOverlap(spans.map(([, s]) => s));
      expect(all).toBeLessThanOrEqual(3);
      expect(all).toBeGreaterThanOrEqual(2);
    });

    it('abort stops every run, leaves no remote process, and starts no more', async () => {
      const marker = `31.${parseInt(suffix.slice(0, 6), 16) % 100_000}`;
      const controller = new AbortController();
      let started = 0;
      const run = runOnMany(remotes.slice(0, 8).map((r) => r.id), { command: 'sh', args: ['-c', `sleep ${marker}`], cwd: '~' }, store, {
        concurrency: 3,
        signal: controller.signal,
        onEvent: (event) => void (event.type === 'started' && started++),
      });
      expect(await eventually(() => processesWith(`sleep ${marker}`).length >= 6, 15_000)).toBe(true); // sh -c and sleep, 3 runs
      controller.abort();
      const results = await run;
      expect(started).toBe(3);
      expect(results.slice(0, 3).every((r) => r.aborted && r.remoteStarted && r.notStarted === undefined)).toBe(true);
      expect(results.slice(3).every((r) => r.aborted && !r.remoteStarted && r.notStarted === 'aborted' && r.exitCode === null)).toBe(true);
      expect(await eventually(() => processesWith(`sleep ${marker}`).length === 0, 5_000)).toBe(true);
    });

    it('failFast starts nothing after the first failure; the rest say they were not started', async () => {
      const ids = remotes.slice(0, 8).map((r) => r.id);
      const events: FleetEvent[] = [];
      const results = await runOnMany(ids, (_t, i) => ({ command: 'sh', args: ['-c', i === 2 ? 'exit 3' : 'sleep 1'], cwd: '~' }), store, {
        concurrency: 2,
        failFast: true,
        onEvent: (event) => events.push(event),
      });
      expect(results[2]).toMatchObject({ remoteExitCode: 3, remoteId: ids[2] });
      expect(results[0]!.remoteExitCode).toBe(0);
      expect(results[1]!.remoteExitCode).toBe(0);
      for (const result of results.slice(4)) {
        expect(result).toMatchObject({ notStarted: 'fail-fast', remoteStarted: false, exitCode: null, aborted: false });
        expect(result.errorKind).toBeUndefined();
        expect(result.errorMessage).toBe(`Not started: failFast after ${ids[2]} failed`);
      }
      expect(events.filter((e) => e.type === 'started').length).toBeLessThanOrEqual(4);
      expect(events.at(-1)).toMatchObject({ type: 'progress', done: 8, total: 8 });
      // Without failFast every target runs.
      const all = await runOnMany(ids, (_t, i) => ({ command: 'sh', args: ['-c', i === 2 ? 'exit 3' : 'true'], cwd: '~' }), store, { concurrency: 4 });
      expect(all.map((r) => r.remoteExitCode)).toEqual([0, 0, 3, 0, 0, 0, 0, 0]);
    });
  });

  describe('CLI: sshwrap exec --on', () => {
    const remotesFile = (): string => {
      const file = path.join(SHARED, 'remotes.json');
      fs.writeFileSync(file, JSON.stringify(remotes.slice(0, 7)));
      return file;
    };

    it('prefixes every line with its host id, never interleaves partial lines, exits 0 when all succeed', async () => {
      const ids = remotes.slice(0, 7).map((r) => r.id);
      const lines = 'i=0; while [ $i -lt 300 ]; do echo "line-$i-abcdefghijklmnopqrstuvwxyz0123456789"; i=$((i+1)); done; echo oops >&2; printf tail';
      const result = await cli(['exec', '--on', ids.join(','), '--remotes', remotesFile(), '--concurrency', '7', '--', 'sh', '-c', lines]);
      expect(result.stderr.split('\n').filter(Boolean).sort()).toEqual(ids.map((id) => `${id}: oops`).sort());
      expect(result.code).toBe(0);
      const out = result.stdout.split('\n');
      expect(out.pop()).toBe('');
      for (const id of ids) {
        const mine = out.filter((line) => line.startsWith(`${id}: `)).map((line) => line.slice(id.length + 2));
        expect(mine).toEqual([...Array.from({ length: 300 }, (_, i) => `line-${i}-abcdefghijklmnopqrstuvwxyz0123456789`), 'tail']);
      }
      expect(out).toHaveLength(7 * 301);
    });

    it('exits with the worst host status and names the failed hosts; --on-all runs every remote of the file', async () => {
      const failing = userFor(info, 'zsh').name;
      const result = await cli(['exec', '--on-all', '--remotes', remotesFile(), '--', 'sh', '-c', `[ "$(id -un)" = ${failing} ] && exit 3; echo ok`]);
      expect(result.code).toBe(3);
      const failedId = remotes.slice(0, 7).find((r) => r.username === failing)!.id;
      expect(result.stdout.split('\n').filter(Boolean)).toHaveLength(6);
      expect(result.stderr).toContain(`sshwrap: 1 of 7 hosts failed: ${failedId} (exit 3)`);
      const unreachable = { ...remotes[0]!, id: 'closed-port', port: 1 };
      fs.writeFileSync(path.join(SHARED, 'with-closed.json'), JSON.stringify([remotes[0], unreachable]));
      const mixed = await cli(['exec', '--on', `${remotes[0]!.id},closed-port`, '--remotes', path.join(SHARED, 'with-closed.json'), '--', 'sh', '-c', 'exit 5']);
      expect(mixed.code).toBe(254);
      expect(mixed.stderr).toContain('sshwrap: closed-port: connection-refused:');
    });
  });
});
