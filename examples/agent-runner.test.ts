/**
 * A consumer's unit test: an app tests its own sshwrap integration against a real sshd.
 *
 * Shows: `startTestSshServer()` from `sshwrap/testing` in `beforeAll` (a throwaway OpenSSH server
 * on 127.0.0.1 for the current user: no root, no Docker, its own keys and known_hosts) and
 * `stop()` in `afterAll`; the app's function run against `server.store` / `server.agentSsh`; the
 * failure paths an app must handle (a missing directory, a host key it does not know, a cancel
 * that must stop the remote process) tested for real instead of mocked.
 *
 * Run: npx vitest run --config examples/vitest.config.ts
 * (needs the OpenSSH server binary: Debian/Ubuntu `apt-get install openssh-server`, macOS: built in).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, runWithSsh, type SshRemoteStoreAdapter } from 'sshwrap';
import { startTestSshServer, type TestSshServer } from 'sshwrap/testing';

// ---- The app's code under test (normally imported from the app's own src/) ----
type AgentOutcome = { ok: true; text: string } | { ok: false; reason: string };

/** Runs the app's agent in `cwd` on the agent's remote; what the UI shows. */
async function askAgent(prompt: string, cwd: string, agentSsh: { enabled: boolean; remoteId: string }, store: SshRemoteStoreAdapter, signal?: AbortSignal): Promise<AgentOutcome> {
  const result = await runWithSsh(
    // A stand-in for `claude --print`: answers with the SHA-256 of the prompt it received.
    { command: 'sh', args: ['-c', 'if [ $# -gt 0 ]; then printf %s "$1"; else cat; fi | sha256sum | cut -c1-64', 'agent'], noPromptSeparator: true, prompt, cwd },
    agentSsh,
    store,
    { timeoutMs: 30_000, multiplex: true, ...(signal ? { signal } : {}) },
  );
  if (result.errorKind) return { ok: false, reason: result.errorKind };
  if (result.aborted) return { ok: false, reason: 'cancelled' };
  if (result.remoteExitCode !== 0) return { ok: false, reason: `exit ${result.remoteExitCode}` };
  return { ok: true, text: result.stdout.trim() };
}
// ---- end of the app's code ----

let server: TestSshServer;
beforeAll(async () => {
  server = await startTestSshServer({ id: 'ci-remote' });
});
afterAll(async () => {
  await closeAll(); // the app's pooled connections first, then the server
  await server?.stop();
});

describe('askAgent against a real sshd', () => {
  it('gets the answer for a small prompt (an argument) and a large one (on stdin)', async () => {
    const { createHash } = await import('node:crypto');
    for (const prompt of ['Summarise the repo', `${'ünïcödé $HOME `x` \\ \n'.repeat(20_000)}end`]) {
      const outcome = await askAgent(prompt, '~', server.agentSsh, server.store);
      expect(outcome).toEqual({ ok: true, text: createHash('sha256').update(prompt).digest('hex') });
    }
  });

  it('reports a missing working directory', async () => {
    expect(await askAgent('x', '/no/such/dir', server.agentSsh, server.store)).toEqual({ ok: false, reason: 'cwd-missing' });
  });

  it('refuses a host whose key is not in its known_hosts', async () => {
    const other = await startTestSshServer({ id: 'other' });
    try {
      // The other server's address, with the known_hosts file that only knows the first one.
      const stranger: SshRemoteStoreAdapter = { getSshRemotes: () => [{ ...other.remote, knownHostsFile: server.remote.knownHostsFile }] };
      expect(await askAgent('x', '~', other.agentSsh, stranger)).toEqual({ ok: false, reason: 'host-key-unknown' });
    } finally {
      await other.stop();
    }
  });

  it('a cancel stops the remote process, not just the local ssh', async () => {
    const token = `cancel-${randomUUID()}`;
    const controller = new AbortController();
    const run = runWithSsh({ command: 'sh', args: ['-c', 'echo up; exec sleep 300', token], cwd: '~' }, server.agentSsh, server.store, {
      signal: controller.signal,
      onStdout: () => controller.abort(), // cancel as soon as it runs
    });
    expect(await run).toMatchObject({ aborted: true });
    // `[c]ancel-…`: the pattern does not match pgrep's own command line.
    const left = await runWithSsh({ command: 'pgrep', args: ['-f', `[${token[0]}]${token.slice(1)}`], cwd: '~' }, server.agentSsh, server.store);
    expect(left.remoteExitCode).toBe(1); // pgrep: no process matched
  });
});
