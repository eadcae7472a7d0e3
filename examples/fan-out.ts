/**
 * An orchestrator: one agent per host, and one task placed on the best host.
 *
 * Shows:
 * - `runOnMany`: the same agent on every host (a per-host prompt from a job function), a global
 *   and a per-host concurrency limit, progress events, results in target order; a failed host
 *   is a result (`errorKind`, exit status), never an exception;
 * - `pickHost`: probe the candidates (CPUs, load, memory, disk, agents on the PATH) and place one
 *   task on the least-loaded host that has the agent, then run it there with `runWithSsh`;
 * - `closeAll()` at the end: both use pooled connections.
 *
 * Run: node --import tsx examples/fan-out.ts <remotes.json>
 * (every remote in the file is a target; add `{ "id": "offline", "host": "127.0.0.1", "port": 1 }`
 * to see a failure reported per host).
 */
import fs from 'node:fs';
import { closeAll, createMemoryStoreAdapter, NoSuitableHostError, pickHost, runOnMany, runSucceeded, runWithSsh, type SshRemoteConfigInput } from 'sshwrap';

const [remotesFile = process.env.SSHWRAP_REMOTES] = process.argv.slice(2);
if (!remotesFile) throw new Error('usage: fan-out.ts <remotes.json>');
const remotes = JSON.parse(fs.readFileSync(remotesFile, 'utf8')) as SshRemoteConfigInput[];
const store = createMemoryStoreAdapter(remotes);
const hosts = remotes.map((remote) => remote.id);

// The agent: a stand-in for `claude --print` that reports where it ran and what it was asked.
const agent = (prompt: string) => ({
  command: 'sh',
  args: ['-c', 'printf "%s on %s (%s CPUs)" "$1" "$(id -un)" "$(getconf _NPROCESSORS_ONLN)"', 'agent'],
  noPromptSeparator: true,
  prompt,
  cwd: '~',
});

// 1. Fan out: one run per host, at most 8 at once overall and 2 per machine.
const results = await runOnMany(hosts, (target, index) => agent(`review shard ${index + 1} for ${String(target)}`), store, {
  concurrency: 8,
  perHostConcurrency: 2,
  runOptions: { multiplex: true, timeoutMs: 60_000 },
  onEvent: (event) => {
    if (event.type === 'progress') console.log(`progress: ${event.done}/${event.total} done, ${event.failed} failed (${event.remoteId} ${event.ok ? 'ok' : 'failed'})`);
  },
});
for (const result of results) {
  const outcome = runSucceeded(result) ? `ok: ${result.stdout}` : `failed: ${result.errorKind ?? `exit ${result.remoteExitCode}`}${result.hint ? ` (${result.hint})` : ''}`;
  console.log(`${result.remoteId}: ${outcome}`);
}

// 2. Place one task: the least-loaded host that has `sh` (use 'claude' in real life) on its PATH.
try {
  const { remoteId, facts } = await pickHost(hosts, store, { need: { agent: 'sh' }, strategy: 'least-loaded' });
  console.log(`picked ${remoteId}: ${facts.cpus} CPUs, load ${facts.load1}, sh at ${facts.agents.sh?.path}`);
  const result = await runWithSsh(agent('the heavy task'), { enabled: true, remoteId }, store, { multiplex: true, timeoutMs: 60_000 });
  console.log(`${remoteId}: ${runSucceeded(result) ? `ok: ${result.stdout}` : `failed: ${result.errorKind ?? result.remoteExitCode}`}`);
} catch (error) {
  if (!(error instanceof NoSuitableHostError)) throw error;
  console.log(error.message); // one line per candidate: why it was rejected
}

await closeAll();
