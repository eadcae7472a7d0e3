import { spawn } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { wrapSpawnWithSsh } from '../../src/exec/index.js';
import { ALL_SHELLS, remoteFor, type TestbedInfo } from '../testbed/index.js';
import { allCommandLines } from '../testbed/procs.js';

const tb = inject('testbed');


describe.skipIf(!tb)('secretEnv never appears on any argv, locally or remotely', () => {
  const info = tb as TestbedInfo;

  it.each(ALL_SHELLS)('%s: during a run, /proc/*/cmdline holds the visible marker but not the secret', async (shell) => {
    const user = info.users.find((u) => u.shell === shell)!;
    const remote = remoteFor(info, user);
    const secret = `sk-leaktest-${shell}-${Math.random().toString(36).slice(2)}`;
    const visible = `visible-${shell}-${Math.random().toString(36).slice(2)}`;
    const wrapped = await wrapSpawnWithSsh(
      // The remote command waits for stdin to close, so the scan happens while everything runs.
      { command: 'sh', args: ['-c', 'read line; printf %s "$API_TOKEN"', visible], cwd: '~' },
      { enabled: true, remoteId: remote.id },
      createMemoryStoreAdapter([remote]),
      { secretEnv: { API_TOKEN: secret }, keepStdin: true },
    );
    const child = spawn(wrapped.command, wrapped.args, { cwd: wrapped.cwd });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stdin.write(wrapped.stdin!);
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));

    // Bounded wait until the remote side of the command is up (its argv carries `visible`).
    let sawRemote = false;
    for (let attempt = 0; attempt < 100 && !sawRemote; attempt++) {
      const lines = allCommandLines();
      sawRemote = lines.filter((line) => line.includes(visible)).length >= 2; // local ssh + remote sh
      expect(lines.filter((line) => line.includes(secret))).toEqual([]);
      if (!sawRemote) await new Promise((r) => setTimeout(r, 50));
    }
    expect(sawRemote).toBe(true);
    expect(allCommandLines().filter((line) => line.includes(secret))).toEqual([]);

    child.stdin.end('go\n');
    expect(await closed).toBe(0);
    expect(stdout).toBe(secret);
  });
});
