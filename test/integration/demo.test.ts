import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sshdAvailable } from '../testbed/index.js';

// `npm run demo` is the README's first command: every step of the tour must run and pass its own
// check. Run as `node --import tsx scripts/demo.ts` (what the npm script runs), without npm's wrapper.
const root = fileURLToPath(new URL('../..', import.meta.url));

function demo(env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run demo', () => {
  it.skipIf(!sshdAvailable({ users: 'current' }).ok)('tours every step against a throwaway sshd and exits 0', async () => {
    const { code, stdout, stderr } = await demo();
    expect(stderr).toBe('');
    expect(code, stdout).toBe(0);
    for (const line of [
      /^Started a throwaway sshd for \S+ on 127\.0\.0\.1:\d+/m,
      /^== 1\/5 testConnection\n {3}One round trip: .+\n {3}Connected to .+\n {3}ok: connected, agent found$/m,
      /^== 2\/5 a pooled run \(multiplex: true\)\n {3}The first run opens .+\n {3}first run: \d+ ms \(opens the connection\), second run: \d+ ms \(reuses it\).*\n {3}ok: both ran, the second was faster$/m,
      /^== 3\/5 a large prompt on stdin\n.+\n {3}sent (\d+) bytes; the remote read \1 bytes, .+\n {3}ok: the prompt arrived byte-exact$/m,
      /^== 4\/5 an aborted run\n.+\n {3}aborted: true after \d+ ms; `pgrep -f sshwrap-demo-[0-9a-f]+` on the remote afterwards: exit 1 \(no such process\)\n {3}ok: the remote process is gone$/m,
      /^== 5\/5 a detached run, re-attached\n.+\n {3}started r-\S+ \(remote pid \d+\).*\n {5}\| tick 1\n {5}\| tick 2\n {5}\| tick 3\n {3}state exited, exit 0, 21 bytes of output\n {3}ok: all output replayed, exit status recorded$/m,
      /\nsshd stopped\. All checks passed\.\n$/,
    ]) {
      expect(stdout).toMatch(line);
    }
    expect(stdout).not.toContain('FAILED');
  });

  it('without an OpenSSH server: says what to install, shows a wrap result, exits 0', async () => {
    const { code, stdout, stderr } = await demo({ SSHWRAP_DEMO_SSHD: '/nonexistent/sshd' });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^No local OpenSSH server to demo against: .+\nInstall the OpenSSH server: Debian\/Ubuntu `apt-get install openssh-server`/);
    expect(stdout).toContain('ssh argv: ssh -F none -o BatchMode=yes');
    expect(stdout).toContain(`cd "$HOME"/project && export ANTHROPIC_API_KEY='<redacted>' && claude --print -- 'Hello, Claude!'`);
  });
});
