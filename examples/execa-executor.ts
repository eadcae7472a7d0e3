/**
 * A custom process executor: every process sshwrap starts goes through execa.
 *
 * Shows:
 * - an adapter that satisfies `SpawnExecutor` over execa (a devDependency here; sshwrap does not
 *   depend on it): sshwrap passes the complete environment, reads the streams itself and wants
 *   results, not rejections, hence `extendEnv: false`, `buffer: false`, `reject: false`; the
 *   subprocess goes back as execa returns it (a process that is also a promise);
 * - that the seam covers everything, not only the command's ssh: with `multiplex` the
 *   ControlMaster and its checks, `closeAll()`'s `ssh -O exit`, and `testConnection`'s probe
 *   all go through it (the adapter logs each process it starts);
 * - a run whose local ssh could not even start (a missing `sshPath`) reported as
 *   `errorKind: 'spawn-failed'`, not a hang: execa reports that through its promise.
 *
 * Run: node --import tsx examples/execa-executor.ts <remotes.json> [remoteId]
 */
import fs from 'node:fs';
import { execa } from 'execa';
import { closeAll, createMemoryStoreAdapter, runWithSsh, testConnection, type SpawnExecutor, type SshRemoteConfigInput } from 'sshwrap';

export const execaExecutor: SpawnExecutor = {
  spawn: (command, args, { cwd, env, signal }) =>
    execa(command, args, {
      cwd,
      env,
      extendEnv: false, // sshwrap passes the complete environment
      cancelSignal: signal,
      buffer: false, // sshwrap reads the streams itself
      reject: false, // results, not rejections; sshwrap reads exitCode/signalCode
      stdin: 'pipe',
    }),
};

/** What kind of process sshwrap asked for, for the log. */
function role(command: string, args: readonly string[]): string {
  if (args.includes('-O')) return `ssh -O ${args[args.indexOf('-O') + 1]} (control command)`;
  if (args.includes('ControlMaster=yes')) return 'ssh ControlMaster (the pooled connection)';
  if (args.includes('-G')) return 'ssh -G (resolve the config)';
  return `${command} (a run)`;
}

const started: string[] = [];
const loggingExecutor: SpawnExecutor = {
  spawn: (command, args, options) => {
    started.push(role(command, args));
    return execaExecutor.spawn(command, args, options);
  },
};

const [remotesFile = process.env.SSHWRAP_REMOTES, remoteIdArg] = process.argv.slice(2);
if (!remotesFile) throw new Error('usage: execa-executor.ts <remotes.json> [remoteId]');
const remotes = JSON.parse(fs.readFileSync(remotesFile, 'utf8')) as SshRemoteConfigInput[];
const store = createMemoryStoreAdapter(remotes);
const remote = remotes.find((entry) => entry.id === (remoteIdArg ?? remotes[0]!.id))!;
const agentSsh = { enabled: true, remoteId: remote.id };

const check = await testConnection(remote, 'sh', { executor: loggingExecutor });
console.log(`testConnection: ${check.success ? 'ok' : `failed: ${check.errorKind}`}, sh ${check.details?.agentAvailable ? 'found' : 'missing'}`);

// A prompt above the 4000-byte threshold travels on ssh's stdin: execa's stdin pipe carries it.
const prompt = 'é'.repeat(5000);
const config = { command: 'sh', args: ['-c', 'wc -c | tr -d " "'], cwd: '~', prompt };
for (const attempt of [1, 2]) {
  const result = await runWithSsh(config, agentSsh, store, { executor: loggingExecutor, multiplex: true, timeoutMs: 30_000 });
  console.log(`run ${attempt}: exit ${result.remoteExitCode}, the remote read ${result.stdout.trim()} bytes (sent ${Buffer.byteLength(prompt)})`);
}
await closeAll();

const missing = await runWithSsh(config, agentSsh, store, { executor: execaExecutor, sshPath: '/nonexistent/ssh' });
console.log(`missing ssh binary: errorKind ${missing.errorKind}`);

console.log(`execa started ${started.length} processes:`);
for (const entry of started) console.log(`  ${entry}`);
