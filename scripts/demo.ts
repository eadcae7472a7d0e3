/**
 * `npm run demo`: a tour of sshwrap against a real OpenSSH server, no root needed. Starts a
 * throwaway sshd for the current user on a free loopback port (`startTestSshServer`, the same
 * server `sshwrap/testing` gives an app's tests), then runs one step per feature, each printed
 * with what it shows:
 *   1. testConnection        2. a pooled run (timed)      3. a ~220 kB prompt on stdin
 *   4. an aborted run, and the remote process is gone    5. a detached run, re-attached
 * Stops the server (and every pooled connection) on the way out; exits 1 if a step's check fails.
 *
 * Without an OpenSSH server installed it says what to install and prints the wrap result for an
 * example remote instead. `SSHWRAP_DEMO_SSHD=/path/to/sshd` picks the sshd binary.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  attachDetached,
  closeAll,
  createMemoryStoreAdapter,
  runWithSsh,
  SshWrapError,
  startDetached,
  testConnection,
  wrapSpawnWithSsh,
} from '../src/index.js';
import { startTestSshServer, type TestSshServer } from '../src/testing/index.js';

const STEPS = 5;
let failed = false;

function step(n: number, title: string, what: string): void {
  process.stdout.write(`\n== ${n}/${STEPS} ${title}\n   ${what}\n`);
}
function show(line: string): void {
  process.stdout.write(`   ${line}\n`);
}
function check(ok: boolean, line: string): void {
  show(`${ok ? 'ok' : 'FAILED'}: ${line}`);
  if (!ok) failed = true;
}
const ms = (start: number) => Math.round(performance.now() - start);

async function fallback(error: SshWrapError): Promise<void> {
  process.stdout.write(
    `No local OpenSSH server to demo against: ${error.message}\n` +
      `${error.hint ?? 'Install the OpenSSH server.'}\n` +
      'Then run `npm run demo` again (no root needed; SSHWRAP_DEMO_SSHD=/path/to/sshd picks the binary). Meanwhile, here is what sshwrap would spawn for an agent on a remote "gpu-server":\n\n',
  );
  const store = createMemoryStoreAdapter([{ id: 'gpu-server', host: 'gpu-server', username: 'dev' }]);
  const wrapped = await wrapSpawnWithSsh(
    { command: '/usr/local/bin/claude', agentBinaryName: 'claude', args: ['--print'], cwd: '~/project', prompt: 'Hello, Claude!', customEnvVars: { ANTHROPIC_API_KEY: 'sk-demo-not-real' } },
    { enabled: true, remoteId: 'gpu-server' },
    store,
  );
  const argv = [wrapped.command, ...wrapped.args].map((arg) => (arg.length > 60 ? `'${arg.slice(0, 60)}…' (${arg.length} bytes: the script in a form every login shell keeps literally)` : arg));
  process.stdout.write(`ssh argv: ${argv.join(' ')}\n\nremote command, readable (secrets redacted, they travel on stdin):\n  ${wrapped.remoteCommand}\n`);
}

async function tour(server: TestSshServer): Promise<void> {
  const { remote, store, agentSsh } = server;

  step(1, 'testConnection', 'One round trip: can we log in, to which host and user, and is the agent (here `sh`) on the remote PATH?');
  const tested = await testConnection(remote, 'sh');
  show(tested.message);
  check(tested.success && tested.details?.agentAvailable === true, 'connected, agent found');

  step(2, 'a pooled run (multiplex: true)', 'The first run opens an ssh ControlMaster; the next ones reuse it and skip the handshake.');
  const pooledRun = async () => {
    const start = performance.now();
    const result = await runWithSsh({ command: 'echo', args: ['hello from the remote'], cwd: '~' }, agentSsh, store, { multiplex: true });
    return { result, ms: ms(start) };
  };
  const first = await pooledRun();
  const second = await pooledRun();
  show(`first run: ${first.ms} ms (opens the connection), second run: ${second.ms} ms (reuses it); output ${JSON.stringify(second.result.stdout)}`);
  check(first.result.remoteExitCode === 0 && second.result.remoteExitCode === 0 && second.ms < first.ms, 'both ran, the second was faster');

  step(3, 'a large prompt on stdin', 'Prompts above 4000 bytes travel on ssh\'s stdin, not the command line: no E2BIG, byte for byte.');
  const prompt = `${'Refactor $HOME `this` & "that" 100% \\ ünïcödé ✓\n'.repeat(4096)}`.slice(0, 200_000) + '\nend';
  const sent = createHash('sha256').update(prompt).digest('hex');
  const large = await runWithSsh({ command: 'sh', args: ['-c', 'wc -c | tr -d " "'], cwd: '~', prompt }, agentSsh, store, { multiplex: true });
  const hashed = await runWithSsh({ command: 'sha256sum', args: [], cwd: '~', prompt }, agentSsh, store, { multiplex: true });
  show(`sent ${Buffer.byteLength(prompt)} bytes; the remote read ${large.stdout.trim()} bytes, sha256 ${hashed.stdout.slice(0, 16)}… (local ${sent.slice(0, 16)}…)`);
  check(Number(large.stdout.trim()) === Buffer.byteLength(prompt) && hashed.stdout.startsWith(sent), 'the prompt arrived byte-exact');

  step(4, 'an aborted run', 'Aborting the AbortSignal stops the local ssh and the remote process group (sshd alone would leave it running).');
  const token = `sshwrap-demo-${randomBytes(6).toString('hex')}`;
  const controller = new AbortController();
  const abortStart = performance.now();
  const aborted = await runWithSsh({ command: 'sh', args: ['-c', 'echo started; exec sleep 300', token], cwd: '~' }, agentSsh, store, {
    signal: controller.signal,
    onStdout: () => controller.abort(), // abort as soon as the command runs
  });
  // `[s]shwrap-demo-…`: the pattern does not match pgrep's own command line.
  const left = await runWithSsh({ command: 'pgrep', args: ['-f', `[${token[0]}]${token.slice(1)}`], cwd: '~' }, agentSsh, store);
  show(`aborted: ${aborted.aborted} after ${ms(abortStart)} ms; \`pgrep -f ${token}\` on the remote afterwards: exit ${left.remoteExitCode} (${left.remoteExitCode === 1 ? 'no such process' : left.stdout.trim()})`);
  check(aborted.aborted && left.remoteExitCode === 1, 'the remote process is gone');

  step(5, 'a detached run, re-attached', 'startDetached returns once the agent runs on its own; attachDetached (from any process, later) replays its output and waits for its exit.');
  // A private run dir: the demo's server logs in as you, so the default ~/.sshwrap/runs would be yours.
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sshwrap-demo-runs-'));
  try {
    const run = await startDetached({ command: 'sh', args: ['-c', 'for i in 1 2 3; do echo "tick $i"; sleep 0.3; done'], cwd: '~' }, agentSsh, store, { runDir });
    show(`started ${run.runId} (remote pid ${run.remotePid}); this process now forgets it and attaches by id:`);
    const attached = await attachDetached({ runId: run.runId, remoteId: remote.id }, store, { runDir, onStdout: (text) => process.stdout.write(text.replace(/^(?=.)/gm, '     | ')) });
    show(`state ${attached.state}, exit ${attached.exitCode}, ${attached.stdoutOffset} bytes of output`);
    check(attached.state === 'exited' && attached.exitCode === 0 && attached.stdout === 'tick 1\ntick 2\ntick 3\n', 'all output replayed, exit status recorded');
  } finally {
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  let server: TestSshServer;
  try {
    server = await startTestSshServer({ id: 'demo', ...(process.env.SSHWRAP_DEMO_SSHD ? { sshdPath: process.env.SSHWRAP_DEMO_SSHD } : {}) });
  } catch (error) {
    if (error instanceof SshWrapError && error.code === 'SPAWN_FAILED') return fallback(error);
    throw error;
  }
  process.stdout.write(`Started a throwaway sshd for ${server.remote.username} on 127.0.0.1:${server.port} (startTestSshServer, no root).\n`);
  try {
    await tour(server);
  } finally {
    await closeAll();
    await server.stop();
    process.stdout.write(`\nsshd stopped.${failed ? ' Some checks FAILED.' : ' All checks passed.'}\n`);
  }
  if (failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
