/**
 * A Node service that runs jobs on one remote.
 *
 * Shows:
 * - a job queue drained by a fixed number of workers, each job one `runWithSsh` with
 *   `multiplex: true` (all jobs share one ControlMaster connection) and its own `timeoutMs`;
 * - how a run ended, read from the result (never an exception for runtime failures): the remote
 *   exit status, `timedOut`, `aborted`, or an `errorKind` with its hint;
 * - a graceful shutdown on SIGTERM/SIGINT: one AbortController aborts every running job (the local
 *   ssh and the remote process group both stop), queued jobs are dropped, then `closeAll()` closes
 *   the ControlMaster so nothing outlives the service.
 *
 * Run: node --import tsx examples/job-service.ts <remotes.json> [remoteId]
 * It queues four jobs; the last one sleeps until the service is stopped (Ctrl-C or `kill <pid>`).
 * Each line it prints starts with the job's name.
 */
import fs from 'node:fs';
import { closeAll, createMemoryStoreAdapter, runWithSsh, type SshRemoteConfigInput, type SshRunResult, type SshSpawnWrapConfig } from 'sshwrap';

interface Job {
  name: string;
  spawn: SshSpawnWrapConfig;
  timeoutMs: number;
}

const [remotesFile = process.env.SSHWRAP_REMOTES, remoteIdArg] = process.argv.slice(2);
if (!remotesFile) throw new Error('usage: job-service.ts <remotes.json> [remoteId]');
const remotes = JSON.parse(fs.readFileSync(remotesFile, 'utf8')) as SshRemoteConfigInput[];
const store = createMemoryStoreAdapter(remotes);
const agentSsh = { enabled: true, remoteId: remoteIdArg ?? remotes[0]!.id };
const WORKERS = 2;

const shutdown = new AbortController();
const queue: Job[] = [
  { name: 'build', spawn: { command: 'sh', args: ['-c', 'echo "building in $(pwd)"; exit 0'], cwd: '~' }, timeoutMs: 30_000 },
  { name: 'flaky', spawn: { command: 'sh', args: ['-c', 'echo "tests failed" >&2; exit 3'], cwd: '~' }, timeoutMs: 30_000 },
  { name: 'slow', spawn: { command: 'sleep', args: ['30'], cwd: '~' }, timeoutMs: 1_000 },
  // A token on the command line lets whoever tests this find the remote process afterwards.
  { name: 'forever', spawn: { command: 'sh', args: ['-c', 'echo waiting; exec sleep 300', `job-service-${process.pid}`], cwd: '~' }, timeoutMs: 600_000 },
];

function describe(result: SshRunResult): string {
  if (result.errorKind) return `did not run: ${result.errorKind} (${result.hint})`;
  if (result.timedOut) return `timed out after ${Math.round(result.durationMs)} ms (stopped on the remote too)`;
  if (result.aborted) return 'aborted by shutdown (stopped on the remote too)';
  if (result.connectionLost) return 'connection lost while it ran';
  return `exit ${result.remoteExitCode}, stdout ${JSON.stringify(result.stdout)}, stderr ${JSON.stringify(result.stderr)}`;
}

async function worker(): Promise<void> {
  for (let job = queue.shift(); job && !shutdown.signal.aborted; job = queue.shift()) {
    const current = job;
    const result = await runWithSsh(current.spawn, agentSsh, store, {
      multiplex: true,
      timeoutMs: current.timeoutMs,
      signal: shutdown.signal,
      onEvent: (event) => {
        if (event.type === 'connect') console.log(`${current.name}: connected (${event.reused ? 'reused the pooled connection' : 'new connection'})`);
        if (event.type === 'started') console.log(`${current.name}: started`);
      },
    });
    console.log(`${current.name}: ${describe(result)}`);
  }
}

function stop(signal: NodeJS.Signals): void {
  console.log(`service: ${signal}: aborting running jobs, dropping ${queue.length} queued`);
  queue.length = 0;
  shutdown.abort();
}
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

console.log(`service: pid ${process.pid}, ${queue.length} jobs, ${WORKERS} workers on ${agentSsh.remoteId}`);
await Promise.all(Array.from({ length: WORKERS }, worker));
await closeAll();
console.log('service: connections closed, bye');
