import { Bench } from 'tinybench';
import { encodeForAnyShell } from '../src/quoting/index.js';
import { createMemoryStoreAdapter } from '../src/resolve/index.js';
import { parseSshRemoteConfig, parseSshSpawnWrapConfig } from '../src/schemas/index.js';
import { wrapSpawnWithSsh } from '../src/exec/index.js';
import { buildRemoteScript, buildSshArgs, remotePathLines, anyShellCommand, wrapForRemote } from '../src/wrap/index.js';

export interface WrapPathResult {
  /** Median µs per call of each measured function. */
  medianUs: Record<string, number>;
}

// A realistic agent spawn: Maestro-style remote entry, an embedded prompt, one env var.
const ENTRY = {
  id: 'gpu-1',
  name: 'GPU',
  host: 'gpu.example.com',
  port: 22,
  username: 'dev',
  privateKeyPath: '~/.ssh/id_ed25519',
  useSshConfig: false,
  customOptions: { ServerAliveInterval: '30' },
};
const CONFIG = {
  command: '/usr/local/bin/claude',
  args: ['--print', '--output-format', 'json'],
  cwd: '/home/dev/project',
  prompt: 'Hello, Claude!',
  agentBinaryName: 'claude',
  customEnvVars: { NODE_ENV: 'production' },
};

/** Section 1: the pure wrap path, and where its time goes. */
export async function benchWrapPath(timeMs = 1_000): Promise<WrapPathResult> {
  const store = createMemoryStoreAdapter([ENTRY]);
  const agentSsh = { enabled: true, remoteId: 'gpu-1' };
  const parsed = parseSshSpawnWrapConfig(CONFIG);
  const remote = parseSshRemoteConfig(ENTRY);
  const LOCAL = { sshPath: 'ssh', localCwd: '/home/bench' };
  const spec = { command: 'claude', args: [...CONFIG.args, '--', CONFIG.prompt], cwd: CONFIG.cwd, env: CONFIG.customEnvVars, commandStdin: 'null' as const };
  const script = buildRemoteScript(spec);
  const invocation = anyShellCommand(script);

  const bench = new Bench({ time: timeMs, warmupTime: 200 });
  bench
    .add('wrapSpawnWithSsh (full: parse, store, wrap)', async () => {
      await wrapSpawnWithSsh(CONFIG, agentSsh, store);
    })
    .add('wrapForRemote (sync core)', () => {
      wrapForRemote(parsed, remote, undefined, LOCAL);
    })
    .add("wrapForRemote, remotePath 'inherit'", () => {
      wrapForRemote(parsed, remote, undefined, { ...LOCAL, remotePath: 'inherit' });
    })
    .add('  parseSshSpawnWrapConfig', () => {
      parseSshSpawnWrapConfig(CONFIG);
    })
    .add("  remotePathLines('augment')", () => {
      remotePathLines('augment');
    })
    .add('  buildRemoteScript', () => {
      buildRemoteScript(spec);
    })
    .add(`  encodeForAnyShell (${Buffer.byteLength(script)} B script)`, () => {
      encodeForAnyShell(script);
    })
    .add('  buildSshArgs', () => {
      buildSshArgs(remote, invocation);
    });
  await bench.run();
  const medianUs: Record<string, number> = {};
  for (const task of bench.tasks) {
    const result = task.result as { latency?: { p50: number } } | undefined;
    if (result?.latency) medianUs[task.name] = result.latency.p50 * 1000;
  }
  return { medianUs };
}
