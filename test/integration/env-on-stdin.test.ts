import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runWithSsh, spawnWithSsh } from '../../src/exec/index.js';
import { ConnectionPool } from '../../src/pool/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { ALL_SHELLS, remoteFor, type TestbedInfo } from '../testbed/index.js';
import { allCommandLines } from '../testbed/procs.js';

const tb = inject('testbed');


/**
 * Scans every /proc/<pid>/cmdline every 20 ms until stopped: records whether `needle` was ever
 * seen and whether the run's own processes (their argv carries `visible`) were up meanwhile.
 */
function scanner(needle: string, visible: string) {
  let scans = 0;
  let leaks = 0;
  let maxVisible = 0;
  const scan = (): void => {
    const lines = allCommandLines();
    scans++;
    leaks += lines.filter((line) => line.includes(needle)).length;
    maxVisible = Math.max(maxVisible, lines.filter((line) => line.includes(visible)).length);
  };
  const timer = setInterval(scan, 20);
  return {
    stop() {
      clearInterval(timer);
      scan();
      return { scans, leaks, maxVisible };
    },
  };
}

// Waits for its stdin to close (so the scans run while every process is up), then prints the value.
const SCRIPT = 'sleep 1; cat >/dev/null; printf %s "$ANTHROPIC_API_KEY"';
const MODES = ['embedded prompt', 'stdin prompt', 'keepStdin'] as const;
// A value with characters every shell treats specially after a unique, shell-neutral prefix: an
// argv leak would show the prefix literally even in the encoded transport.
const HOSTILE_TAIL = `'"$HOME\`!%\\ é\n`;

describe.skipIf(!tb)('envOnStdin (default secrets): customEnvVars secrets are on no argv, locally or remotely', () => {
  const info = tb as TestbedInfo;
  let controlDir: string;
  let pool: ConnectionPool;
  const figures: string[] = [];

  beforeAll(() => {
    controlDir = mkdtempSync('/tmp/swes-');
    pool = new ConnectionPool({ controlDir });
  });
  afterAll(async () => {
    await pool?.closeAll();
    rmSync(controlDir, { recursive: true, force: true });
    process.stdout.write(`[sshwrap] /proc scans (20 ms) per case, leaks found:\n${figures.join('\n')}\n`);
  });

  it.each(ALL_SHELLS)('%s: pooled and not, embedded prompt, stdin prompt, keepStdin', async (shell) => {
    const user = info.users.find((u) => u.shell === shell)!;
    const remote = remoteFor(info, user);
    const store = createMemoryStoreAdapter([remote]);
    const agentSsh = { enabled: true, remoteId: remote.id };
    for (const pooled of [false, true]) {
      for (const mode of MODES) {
        const needle = `sk-leak-${shell}-${Math.random().toString(36).slice(2)}`;
        const secret = `${needle}${HOSTILE_TAIL}`;
        const visible = `visible-${shell}-${Math.random().toString(36).slice(2)}`;
        const config = {
          command: 'sh',
          args: ['-c', SCRIPT, visible],
          cwd: '~',
          customEnvVars: { ANTHROPIC_API_KEY: secret, NODE_ENV: 'test' },
          ...(mode === 'embedded prompt' ? { prompt: 'small prompt' } : mode === 'stdin prompt' ? { prompt: 'q'.repeat(5000) } : {}),
        };
        const multiplex = pooled ? { connectionPool: pool, multiplex: true as const } : {};
        const scan = scanner(needle, visible);
        let stdout: string;
        if (mode === 'keepStdin') {
          const { child, stdinWritten } = await spawnWithSsh(config, agentSsh, store, { ...multiplex, keepStdin: true });
          let out = '';
          child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
          expect(await stdinWritten).toBeUndefined();
          await new Promise((resolve) => setTimeout(resolve, 1_500));
          const closed = new Promise((resolve) => child.once('close', resolve));
          child.stdin!.end();
          await closed;
          stdout = out;
        } else {
          const result = await runWithSsh(config, agentSsh, store, { ...multiplex, timeoutMs: 30_000 });
          expect(result).toMatchObject({ remoteExitCode: 0 });
          stdout = result.stdout;
        }
        const { scans, leaks, maxVisible } = scan.stop();
        figures.push(`  ${shell.padEnd(7)} ${pooled ? 'pooled' : 'direct'} ${mode.padEnd(15)} scans=${scans} leaks=${leaks}`);
        expect(leaks, `${shell} ${mode}`).toBe(0);
        // The scans ran while the local ssh and the remote sh (both carry `visible`) were alive.
        expect(maxVisible, `${shell} ${mode}`).toBeGreaterThanOrEqual(2);
        expect(scans).toBeGreaterThan(10);
        expect(stdout, `${shell} ${mode}`).toBe(secret);
      }
    }
  });
});
