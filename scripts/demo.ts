/**
 * `npm run demo`: the main job end to end. Starts a throwaway sshd for the current user on a free
 * loopback port (no root needed), wraps an agent-style spawn with wrapSpawnWithSsh, runs it, and
 * prints what was spawned and what the remote received. Stops the server on the way out.
 */
import { spawn } from 'node:child_process';
import { createMemoryStoreAdapter, wrapSpawnWithSsh, type SshSpawnWrapResult } from '../src/index.js';
import { remoteFor, sshdAvailable, startTestbed } from '../test/testbed/index.js';

const agentSsh = { enabled: true, remoteId: 'demo' };
const spawnConfig = {
  command: '/usr/local/bin/claude',
  args: ['--print', '--output-format', 'json'],
  cwd: '~',
  prompt: `Hello, Claude! It's "$HOME" \`date\` & 100% !important\nsecond line`,
  customEnvVars: { NODE_ENV: 'production', ANTHROPIC_API_KEY: 'sk-demo-not-real' },
};

function show(title: string, value: unknown): void {
  process.stdout.write(`\n== ${title}\n${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}\n`);
}

/** Puts each `-x value` pair on one line and shortens the encoded remote script. */
function argvForDisplay(argv: string[]): string {
  const lines: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!.length > 120 ? `${argv[i]!.slice(0, 120)}… (${argv[i]!.length} bytes)` : argv[i]!;
    const pairsWithNext = /^-[FoOpiSlJ]$/.test(arg) && i + 1 < argv.length;
    lines.push(pairsWithNext ? `${arg} ${argv[++i]}` : arg);
  }
  return lines.join(' \\\n  ');
}

function run(wrapped: SshSpawnWrapResult): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(wrapped.command, wrapped.args, { cwd: wrapped.cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.stdin.end(wrapped.stdin ?? '');
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function main(): Promise<void> {
  const availability = sshdAvailable({ users: 'current' });
  if (!availability.ok) {
    process.stdout.write(
      `No local OpenSSH server to demo against: ${availability.reason}.\n` +
        'Install it (Debian/Ubuntu: sudo apt-get install openssh-server; macOS: built in) and run `npm run demo` again.\n' +
        'Here is the wrap result for a remote called "gpu-server" instead:\n',
    );
    const store = createMemoryStoreAdapter([{ id: 'demo', name: 'GPU Server', host: 'gpu-server', username: 'dev', useSshConfig: true }]);
    const wrapped = await wrapSpawnWithSsh({ ...spawnConfig, agentBinaryName: 'claude' }, agentSsh, store);
    show('wrapSpawnWithSsh result', { ...wrapped, args: wrapped.args });
    return;
  }

  process.stdout.write('Starting a throwaway sshd on 127.0.0.1 for the current user...\n');
  const testbed = await startTestbed({ users: 'current' });
  try {
    const user = testbed.users[0]!;
    const store = createMemoryStoreAdapter([{ ...remoteFor(testbed, user), id: 'demo', name: 'Demo (loopback)' }]);
    // The "agent" on the remote is argdump, which prints the argv, cwd and env it received.
    const wrapped = await wrapSpawnWithSsh({ ...spawnConfig, agentBinaryName: testbed.argdump }, agentSsh, store);
    show('Spawned (argv, one option per line)', argvForDisplay([wrapped.command, ...wrapped.args]));
    show('Remote command (readable, secrets redacted)', wrapped.remoteCommand ?? '');
    const started = performance.now();
    const result = await run(wrapped);
    const dump = JSON.parse(result.stdout) as { argv: string[]; cwd: string; env: Record<string, string> };
    show(`Remote received (exit ${result.code}, ${Math.round(performance.now() - started)} ms)`, {
      argv: dump.argv,
      cwd: dump.cwd,
      env: { NODE_ENV: dump.env.NODE_ENV, ANTHROPIC_API_KEY: dump.env.ANTHROPIC_API_KEY ? '(set, same value)' : '(missing)' },
    });
    const exact = JSON.stringify(dump.argv) === JSON.stringify([...spawnConfig.args, '--', spawnConfig.prompt]);
    show('Prompt arrived byte-exact', String(exact));
    if (result.stderr) show('ssh stderr', result.stderr);
    if (!exact || result.code !== 0) process.exitCode = 1;
  } finally {
    await testbed.stop();
    process.stdout.write('\nsshd stopped.\n');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
