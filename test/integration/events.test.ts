import fs, { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runWithSsh, type SshRunEvent } from '../../src/exec/index.js';
import { checkMaster, ConnectionPool } from '../../src/pool/index.js';
import { ALL_SHELLS, NOISE_VARIABLE, SLOW_LOGIN_MODE } from '../testbed/index.js';
import { pickFreePort } from '../testbed/ports.js';
import { remoteSetup, userFor } from '../exec/testbed-helpers.js';
import { allCommandLinesWithPid } from '../testbed/procs.js';

const tb = inject('testbed');
const SECRETS = { custom: 'sk-events-custom-5a1c', secretEnv: 'sk-events-secretenv-77e0', passphrase: 'pp-events-passphrase-9d2b' };

function collector() {
  const events: SshRunEvent[] = [];
  return { events, types: () => events.map((event) => event.type), onEvent: (event: SshRunEvent) => events.push(event) };
}

describe.skipIf(!tb)('events, lines and JSON against the real sshd', () => {
  let controlDir: string;
  let pool: ConnectionPool;
  const figures: string[] = [];

  beforeAll(() => {
    controlDir = mkdtempSync('/tmp/swev-');
    pool = new ConnectionPool({ controlDir });
  });
  afterAll(async () => {
    await pool?.closeAll();
    rmSync(controlDir, { recursive: true, force: true });
    if (figures.length) process.stdout.write(`[sshwrap] ${figures.join('\n[sshwrap] ')}\n`);
  });

  it.each(ALL_SHELLS)('%s: a normal run reports resolve, connect, spawn, started, first-byte, exit, with no secret in any event', async (shell) => {
    // A passphrase on a key that needs none: the bridge exists for the run and must stay invisible.
    const { store, agentSsh } = remoteSetup(tb!, userFor(tb!, shell), { passphrase: SECRETS.passphrase });
    const { events, types, onEvent } = collector();
    const result = await runWithSsh(
      { command: 'sh', args: ['-c', 'printf "%s|%s\\n" "$ANTHROPIC_API_KEY" "$TOKEN_X"', SECRETS.custom], cwd: '~', customEnvVars: { ANTHROPIC_API_KEY: SECRETS.custom } },
      agentSsh,
      store,
      { onEvent, secretEnv: { TOKEN_X: SECRETS.secretEnv } },
    );
    expect(result.stdout).toBe(`${SECRETS.custom}|${SECRETS.secretEnv}\n`);
    expect(types()).toEqual(['resolve', 'connect', 'spawn', 'started', 'first-byte', 'exit']);
    expect(events[1]).toMatchObject({ type: 'connect', reused: false });
    expect(events[2]).toMatchObject({ type: 'spawn', remote: true, command: 'sh', args: ['-c', expect.any(String), '<redacted>'] });
    expect(events[3]).toMatchObject({ type: 'started', remotePid: result.remotePid });
    expect(events[5]).toMatchObject({ type: 'exit', exitCode: 0, remoteExitCode: 0 });
    const text = JSON.stringify(events);
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
  });

  it('a refused connection reports resolve, a retry per repeated try, error, exit', async () => {
    const { store, agentSsh } = remoteSetup(tb!, userFor(tb!, 'dash'), { port: await pickFreePort() });
    const { events, types, onEvent } = collector();
    const result = await runWithSsh({ command: 'true', args: [], cwd: '~' }, agentSsh, store, { onEvent });
    expect(result.errorKind).toBe('connection-refused');
    expect(types()).toEqual(['resolve', 'retry', 'retry', 'error', 'exit']);
    expect(events[3]).toMatchObject({ errorKind: 'connection-refused', hint: result.hint, message: result.errorMessage });
  });

  it('a pooled run whose master dies before the command started is retried: resolve, retry, connect, …, exit', async () => {
    // bash reads ~/.bashrc, which sleeps 2 s in this mode: the session is open, the script silent.
    const { remote, store, agentSsh } = remoteSetup(tb!, userFor(tb!, 'bash'), { customOptions: { SetEnv: `${NOISE_VARIABLE}=${SLOW_LOGIN_MODE}` } });
    const lease = await pool.acquire(remote as never, true);
    const master = await checkMaster(lease.controlPath!);
    lease.release();
    expect(master.running).toBe(true);
    const { events, types, onEvent } = collector();
    // The login's own `sleep 2`: it has the noise variable in its environment; another file's `sleep 2` does not.
    const inSlowLogin = (pid: number): boolean => {
      try {
        return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`${NOISE_VARIABLE}=${SLOW_LOGIN_MODE}`);
      } catch {
        return false;
      }
    };
    const loginSleeps = (): number[] =>
      allCommandLinesWithPid()
        .filter(([pid, line]) => line === 'sleep\u00002\u0000' && inSlowLogin(pid))
        .map(([pid]) => pid);
    const before = new Set(loginSleeps());
    const running = runWithSsh({ command: 'echo', args: ['second time lucky'], cwd: '~' }, agentSsh, store, { onEvent, multiplex: true, connectionPool: pool, timeoutMs: 30_000 });
    // Bounded wait for this session's login `sleep 2` (the session is open, the script silent), then the master goes.
    for (let attempt = 0; attempt < 100 && !loginSleeps().some((pid) => !before.has(pid)); attempt++) await new Promise((r) => setTimeout(r, 20));
    expect(loginSleeps().some((pid) => !before.has(pid))).toBe(true);
    process.kill(master.pid!, 'SIGKILL');
    const result = await running;
    expect(result).toMatchObject({ stdout: 'second time lucky\n', remoteExitCode: 0 });
    expect(types()).toEqual(['resolve', 'retry', 'connect', 'spawn', 'started', 'first-byte', 'exit']);
    expect(events[1]).toMatchObject({ type: 'retry', attempt: 1 });
    // The master was warm for the first try; the retry went through a fresh one: a new connection.
    expect(events[2]).toMatchObject({ type: 'connect', reused: false });
  });

  it('a line reaches onStdoutLine when the remote writes it, not at exit', async () => {
    const { store, agentSsh } = remoteSetup(tb!, userFor(tb!, 'dash'));
    const seen: Array<{ line: string; at: number }> = [];
    await runWithSsh(
      // Each line carries the remote clock (the same machine here) at the moment it is written.
      { command: 'sh', args: ['-c', 'date +%s%3N; sleep 2; date +%s%3N'], cwd: '~' },
      agentSsh,
      store,
      { onStdoutLine: (line) => seen.push({ line, at: Date.now() }) },
    );
    expect(seen).toHaveLength(2);
    const [first, second] = seen as [{ line: string; at: number }, { line: string; at: number }];
    expect(first.at).toBeLessThan(Number(second.line)); // delivered before the second line was written
    const latency = first.at - Number(first.line);
    expect(latency).toBeGreaterThanOrEqual(0);
    expect(latency).toBeLessThan(1_500);
    figures.push(`remote write → onStdoutLine: ${latency} ms (first line), ${second.at - Number(second.line)} ms (second)`);
  });

  it('a UTF-8 character split across writes arrives whole; NDJSON lines parse, a malformed one is reported', async () => {
    const { store, agentSsh } = remoteSetup(tb!, userFor(tb!, 'fish'));
    const lines: string[] = [];
    const json: unknown[] = [];
    const bad: string[] = [];
    const result = await runWithSsh(
      { command: 'sh', args: ['-c', "printf '{\"t\":\"\\303'; sleep 0.3; printf '\\251\"}\\r\\nnot json\\n{\"t\":2}'"], cwd: '~' },
      agentSsh,
      store,
      { onStdoutLine: (line) => lines.push(line), onJsonLine: (value) => json.push(value), onJsonError: (_error, line) => bad.push(line) },
    );
    expect(result.remoteExitCode).toBe(0);
    expect(lines).toEqual(['{"t":"é"}', 'not json', '{"t":2}']);
    expect(json).toEqual([{ t: 'é' }, { t: 2 }]);
    expect(bad).toEqual(['not json']);
  });
});
