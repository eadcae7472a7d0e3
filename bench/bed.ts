import fs from 'node:fs';
import { createMemoryStoreAdapter, type SshRemoteStoreAdapter } from '../src/resolve/index.js';
import { parseSshRemoteConfig, type SshRemoteConfig } from '../src/schemas/index.js';
import { rawSshArgs, remoteFor, sshdAvailable, startTestbed, type Testbed } from '../test/testbed/index.js';

export interface BenchBed {
  bed: Testbed;
  mode: 'all-shells' | 'current';
  user: string;
  loginShell: string;
  remote: SshRemoteConfig;
  store: SshRemoteStoreAdapter;
  agentSsh: { enabled: true; remoteId: string };
  /** `ssh` arguments for the raw baselines, up to and including the host. */
  rawArgs: string[];
  /** A short private directory for the pool's and the hand-made master's sockets. */
  controlDir: string;
}

const LOCK_WAIT_MS = 120_000;

/**
 * A private sshd with OpenSSH's default limits (MaxStartups 10:30:100, MaxSessions 10). As root
 * it uses the testbed's dash user (a login shell that starts in ~1 ms, like a server account);
 * otherwise the current user, whose shell rc files then count in every figure.
 */
export async function startBenchBed(): Promise<BenchBed> {
  let allShells = sshdAvailable({ users: 'all-shells' }).ok;
  let bed: Testbed;
  try {
    bed = await startTestbed(allShells ? { users: 'all-shells', lockWaitMs: LOCK_WAIT_MS } : { users: 'current' });
  } catch (error) {
    if (!allShells) throw error;
    // Another all-shells testbed (a test run) kept the shared swt_* users busy for too long.
    console.log(`note: ${(error as Error).message.split('\n')[0]}\nfalling back to the current user`);
    allShells = false;
    bed = await startTestbed({ users: 'current' });
  }
  const user = allShells ? bed.users.find((u) => u.shell === 'dash')! : bed.users[0]!;
  const remote = parseSshRemoteConfig(remoteFor(bed, user));
  const controlDir = fs.mkdtempSync('/tmp/swb-');
  return {
    bed,
    mode: allShells ? 'all-shells' : 'current',
    user: user.name,
    loginShell: user.shellPath,
    remote,
    store: createMemoryStoreAdapter([remote]),
    agentSsh: { enabled: true, remoteId: remote.id },
    rawArgs: rawSshArgs(bed, user.name),
    controlDir,
  };
}

export async function stopBenchBed(bench: BenchBed): Promise<void> {
  await bench.bed.stop();
  fs.rmSync(bench.controlDir, { recursive: true, force: true });
}
