import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createOutputDeframer, runWithSsh, spawnWithSsh, wrapSpawnWithSsh, type LoginOutput, type SshRunResult } from '../../src/exec/index.js';
import { groomContext } from '../../src/groom/index.js';
import { testConnection } from '../../src/test-connection/index.js';
import { ALL_SHELLS, NOISE_MODES, NOISE_VARIABLE, noiseOf, remoteFor, type NoiseMode, type TestShell } from '../testbed/index.js';
import { remoteSetup, userFor } from '../exec/testbed-helpers.js';

const tb = inject('testbed');

/**
 * The startup files each login shell reads for `ssh host cmd` (sshd runs `<shell> -c <cmd>`:
 * not a login shell, not interactive), as measured by the unframed baseline below. Every
 * dotfile of the test users carries the noise hook, so a file missing here that a shell does
 * read (or one listed that it does not) fails the baseline.
 * - bash: ~/.bashrc (Debian's bash sources it when run by sshd, SSH_SOURCE_BASHRC)
 * - zsh: ~/.zshenv (always read; .zprofile/.zshrc need a login or interactive shell)
 * - fish: ~/.config/fish/config.fish (read by every fish)
 * - tcsh: ~/.tcshrc (read by every tcsh without -f)
 * - dash, busybox ash: nothing when non-interactive; mksh: $ENV / ~/.mkshrc only when interactive
 */
const STARTUP_FILES: Record<TestShell, string[]> = {
  bash: ['.bashrc'],
  dash: [],
  zsh: ['.zshenv'],
  mksh: [],
  ash: [],
  fish: ['config.fish'],
  tcsh: ['.tcshrc'],
};

// What loginOutput keeps of each stream (output-frame.ts), the rest is drained unseen.
const LOGIN_LIMIT = 64 * 1024;

/** What the login of `shell` prints in `mode`, as loginOutput reports it. */
function loginNoise(shell: TestShell, mode: NoiseMode | 'off'): LoginOutput {
  if (mode === 'off') return { stdout: '', stderr: '' };
  const parts = STARTUP_FILES[shell].map((file) => noiseOf(mode, file));
  const keep = (text: string): string => Buffer.from(text).subarray(0, LOGIN_LIMIT).toString('utf8');
  return { stdout: keep(parts.map((p) => p.stdout).join('')), stderr: keep(parts.map((p) => p.stderr).join('')) };
}

/** What an agent in --print/--json mode writes: one NDJSON line on stdout, a log line on stderr. */
const RESULT_LINE = '{"type":"result","ok":true}\n';
const AGENT_LOG = 'agent log line\n';
const AGENT = {
  command: '/bin/sh',
  args: ['-c', `printf '%s\\n' '${RESULT_LINE.trim()}'; printf '%s\\n' '${AGENT_LOG.trim()}' >&2`],
  cwd: '~',
};

/** The remote for `user` whose login prints `mode` noise: `SetEnv` sends the variable sshd accepts. */
function noisy(shell: TestShell, mode: NoiseMode | 'off', extra: { port?: number } = {}) {
  const user = userFor(tb!, shell);
  const customOptions: Record<string, string> = mode === 'off' ? {} : { SetEnv: `${NOISE_VARIABLE}=${mode}` };
  return { user, ...remoteSetup(tb!, user, { ...extra, customOptions }) };
}

function collect(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

function expectCleanRun(result: SshRunResult): void {
  expect(result.errorKind, result.errorMessage).toBeUndefined();
  expect(result).toMatchObject({ remoteStarted: true, remoteExitCode: 0, exitCode: 0, connectionLost: false, timedOut: false });
}

// Per shell, for the summary printed at the end (and the report).
const summary = new Map<TestShell, { cases: number; printed: string }>(ALL_SHELLS.map((shell) => [shell, { cases: 0, printed: '(baseline did not run)' }]));
const count = (shell: TestShell): void => void (summary.get(shell)!.cases += 1);

describe.skipIf(!tb)('output framing: login noise never reaches stdout/stderr', () => {
  const info = tb!;
  // Readable and executable by every test user; unique to this file.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sshwrap-framing-'));
  const binaryFile = path.join(dir, 'bytes.bin');
  // Every byte value (NUL, invalid UTF-8, '\n' before a would-be token), then 100 KB of random
  // bytes, so the command's output spans many pipe reads.
  const binary = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from('\nswm_'), randomBytes(100_000)]);
  const fakeAgent = path.join(dir, `fake-agent-${randomBytes(3).toString('hex')}`);

  beforeAll(() => {
    fs.chmodSync(dir, 0o755);
    fs.writeFileSync(binaryFile, binary, { mode: 0o644 });
    // Stands in for `claude --print -- <prompt>`: answers with the prompt it received.
    fs.writeFileSync(fakeAgent, `#!/bin/sh\nfor a; do last=$a; done\nprintf 'summary of: %s\\n' "$last"\n`, { mode: 0o755 });
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    for (const [shell, { cases, printed }] of summary) console.log(`framing ${shell.padEnd(4)}: ${cases} cases passed; login prints for 'ssh host cmd': ${printed}`);
  });

  describe.concurrent.each(ALL_SHELLS)('%s login shell', (shell) => {
    // Without framing, the noise really is in the command's streams: what every case below removes.
    it('baseline: an unframed wrap gets the startup files’ noise in front of the command output, and none without the variable', async () => {
      const unframed = async (mode: NoiseMode | 'off'): Promise<[Buffer, Buffer]> => {
        const { store, agentSsh } = noisy(shell, mode);
        const wrapped = await wrapSpawnWithSsh(AGENT, agentSsh, store);
        expect(wrapped.frameOutput).toBeUndefined();
        const child = spawn(wrapped.command, wrapped.args, { cwd: wrapped.cwd });
        child.stdin.end(wrapped.stdin ?? '');
        return Promise.all([collect(child.stdout), collect(child.stderr)]);
      };
      // What every other test file sees on these shared users: the hooks print nothing at all.
      const [cleanOut, cleanErr] = await unframed('off');
      expect(cleanOut.toString('utf8')).toBe(RESULT_LINE);
      expect(cleanErr.toString('utf8')).toBe(AGENT_LOG);

      const [stdout, stderr] = await unframed('both');
      const noise = loginNoise(shell, 'both');
      expect(stdout.toString('utf8')).toBe(noise.stdout + RESULT_LINE);
      expect(stderr.toString('utf8')).toBe(noise.stderr + AGENT_LOG);
      const files = [...new Set([...`${stdout}${stderr}`.matchAll(/noise from (\S+)/g)].map((m) => m[1]))];
      summary.get(shell)!.printed = files.length > 0 ? `${files.join(', ')} (stdout and stderr)` : 'nothing';
      count(shell);
    });

    it.each(['off', ...Object.keys(NOISE_MODES)] as Array<NoiseMode | 'off'>)('runWithSsh, noise %s: stdout/stderr exactly the agent’s, the noise in loginOutput', async (mode) => {
      const { store, agentSsh } = noisy(shell, mode);
      const result = await runWithSsh(AGENT, agentSsh, store);
      expectCleanRun(result);
      expect(result.stdout).toBe(RESULT_LINE);
      expect(result.stderr).toBe(AGENT_LOG);
      expect(result.loginOutput).toEqual(loginNoise(shell, mode));
      // What NDJSON consumers do: every stdout line parses.
      expect(result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line))).toEqual([{ type: 'result', ok: true }]);
      count(shell);
    });

    it('runWithSsh: binary output is exact, an empty output is empty', async () => {
      const { store, agentSsh } = noisy(shell, 'marker-like');
      const bytes = await runWithSsh({ command: 'cat', args: [binaryFile], cwd: '~' }, agentSsh, store);
      expectCleanRun(bytes);
      // runWithSsh decodes UTF-8: compare with the same decoding of the exact bytes.
      expect(bytes.stdout === binary.toString('utf8')).toBe(true);
      expect(bytes.stderr).toBe('');
      expect(bytes.loginOutput).toEqual(loginNoise(shell, 'marker-like'));

      const quiet = noisy(shell, 'stdout-no-newline');
      const empty = await runWithSsh({ command: 'true', cwd: '~' }, quiet.agentSsh, quiet.store);
      expectCleanRun(empty);
      expect(empty.stdout).toBe('');
      expect(empty.stderr).toBe('');
      expect(empty.loginOutput).toEqual(loginNoise(shell, 'stdout-no-newline'));
      count(shell);
    });

    it('spawnWithSsh: child.stdout is the command’s bytes exactly (a frame line it prints itself included), loginOutput() after close', async () => {
      const { store, agentSsh } = noisy(shell, 'both');
      const token = `swm_${randomBytes(12).toString('hex')}`;
      // Only the script's first frame line frames; the same line printed by the command is its output.
      const own = `\n${token}:stdout\n`;
      const { child, loginOutput } = await spawnWithSsh(
        { command: '/bin/sh', args: ['-c', `cat "$1"; printf '${own.replace(/\n/g, '\\n')}'; printf 'err\\n' >&2`, 'sh', binaryFile], cwd: '~' },
        agentSsh,
        store,
        { statusMarker: token },
      );
      const stdout = collect(child.stdout!);
      const stderr = collect(child.stderr!);
      // The documented use: read loginOutput() once the child closed.
      const [code, login] = await new Promise<[number | null, LoginOutput]>((resolve) => child.once('close', (exitCode: number | null) => resolve([exitCode, loginOutput()])));
      expect(code).toBe(0);
      expect((await stdout).equals(Buffer.concat([binary, Buffer.from(own)]))).toBe(true);
      expect((await stderr).toString('utf8')).toBe('err\n');
      expect(login).toEqual(loginNoise(shell, 'both'));
      count(shell);
    });

    it('wrapSpawnWithSsh({ frameOutput: true }) + createOutputDeframer around a plain child_process.spawn', async () => {
      const { store, agentSsh } = noisy(shell, 'marker-like');
      const wrapped = await wrapSpawnWithSsh(AGENT, agentSsh, store, { frameOutput: true });
      expect(wrapped).toMatchObject({ frameOutput: true, statusMarker: expect.stringMatching(/^swm_/) });
      const child = spawn(wrapped.command, wrapped.args, { cwd: wrapped.cwd });
      child.stdin.end(wrapped.stdin ?? '');
      const output = createOutputDeframer(wrapped);
      const markers: string[] = [];
      output.stderr.on('marker', (marker: { event: string }) => markers.push(marker.event));
      const raw = collect(child.stdout);
      const [stdout, stderr, exitCode] = await Promise.all([
        collect(child.stdout.pipe(output.stdout)),
        collect(child.stderr.pipe(output.stderr)),
        new Promise<number | null>((resolve) => child.once('close', resolve)),
      ]);
      const noise = loginNoise(shell, 'marker-like');
      expect(exitCode).toBe(0);
      // This very run's raw stdout carried the noise (for shells whose startup files print).
      expect((await raw).toString('utf8').startsWith(noise.stdout)).toBe(true);
      expect(stdout.toString('utf8')).toBe(RESULT_LINE);
      expect(stderr.toString('utf8')).toBe(AGENT_LOG);
      expect(output.loginOutput()).toEqual(noise);
      // The fake markers in the noise are not the token's: only the script's own are reported.
      expect(markers).toEqual(['pid', 'started', 'exit']);
      count(shell);
    });

    it('testConnection reports host and user with noise on both streams', async () => {
      const { user } = noisy(shell, 'both');
      const result = await testConnection(remoteFor(info, user, { customOptions: { SetEnv: `${NOISE_VARIABLE}=both` } }), 'sh');
      expect(result).toMatchObject({ success: true, details: { hostname: os.hostname(), username: user.name, platform: os.type(), agentAvailable: true } });
      expect(result.errorKind).toBeUndefined();
      count(shell);
    });

    it('groomContext returns the agent’s answer alone', async () => {
      const { store, remote } = noisy(shell, 'both');
      const answer = await groomContext('/tmp', 'claude-code', 'the decisions', {
        sshRemoteConfig: { enabled: true, remoteId: remote.id },
        customPath: fakeAgent,
        store,
      });
      expect(answer).toBe('summary of: the decisions');
      count(shell);
    });

    it('a missing command or cwd still classifies, whatever the startup files printed', async () => {
      const { store, agentSsh } = noisy(shell, 'marker-like');
      const missing = await runWithSsh({ command: 'sshwrap-no-such-agent', cwd: '~' }, agentSsh, store);
      expect(missing).toMatchObject({ errorKind: 'agent-not-found', remoteStarted: false, stdout: '', loginOutput: loginNoise(shell, 'marker-like') });
      const cwd = await runWithSsh({ command: 'true', cwd: '/sshwrap/no/such/dir' }, agentSsh, store);
      expect(cwd).toMatchObject({ errorKind: 'cwd-missing', remoteStarted: false, stdout: '', loginOutput: loginNoise(shell, 'marker-like') });
      expect(cwd.errorMessage).toContain('/sshwrap/no/such/dir');
      expect(`${cwd.errorMessage}${missing.errorMessage}`).not.toContain('noise from');
      count(shell);
    });

    it('a refused connection still classifies, ssh’s message in stderr, not in loginOutput', async () => {
      const server = net.createServer();
      await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
      const port = (server.address() as net.AddressInfo).port;
      await new Promise((resolve) => server.close(resolve));
      const { store, agentSsh } = noisy(shell, 'both', { port });
      const result = await runWithSsh(AGENT, agentSsh, store);
      expect(result).toMatchObject({ errorKind: 'connection-refused', remoteStarted: false, stdout: '' });
      expect(result.stderr).toContain('Connection refused');
      expect(result.errorMessage).toContain('Connection refused');
      expect(result.loginOutput).toEqual({ stdout: '', stderr: '' });
      count(shell);
    });
  });
});
