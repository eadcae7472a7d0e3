import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runWithSsh } from '../../src/exec/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { eventually, processesWith } from '../exec/testbed-helpers.js';
import { remoteFor, startTestbed, type Testbed } from '../testbed/index.js';

// docs/guides/security.md's forced command, run exactly as documented: a private sshd (current
// user, own port, own known_hosts) whose authorized_keys holds the key with
// `restrict,command="sshwrap-gate …"`. Whether to run at all is the shared bed's decision.
const tb = inject('testbed');
const GUIDE = 'docs/guides/security.md';

function gateScript(): string {
  const lines = fs.readFileSync(GUIDE, 'utf8').split('\n');
  const marker = lines.findIndex((line) => line.startsWith('<!-- sshwrap-gate.sh'));
  expect(marker, `${GUIDE} has no sshwrap-gate.sh block`).toBeGreaterThan(0);
  expect(lines[marker + 1]).toBe('```sh');
  const end = lines.indexOf('```', marker + 2);
  return `${lines.slice(marker + 2, end).join('\n')}\n`;
}

describe.skipIf(!tb)('security guide: a restricted command= key runs sshwrap through sshwrap-gate', () => {
  let bed: Testbed;
  let log: string;
  let store: ReturnType<typeof createMemoryStoreAdapter>;
  const agentSsh = { enabled: true, remoteId: 'gated' };

  beforeAll(async () => {
    bed = await startTestbed({ users: 'current' });
    const gate = path.join(bed.dir, 'bin', 'sshwrap-gate');
    fs.writeFileSync(gate, gateScript(), { mode: 0o755 });
    log = path.join(bed.dir, 'gate.log');
    const user = bed.users[0]!;
    const publicKey = fs.readFileSync(`${bed.clientKey}.pub`, 'utf8').trim();
    // Only the restricted key: every session with it goes through the gate.
    fs.writeFileSync(path.join(bed.dir, 'authorized_keys', user.name), `restrict,command="${gate} -l ${log} cat sh sleep" ${publicKey}\n`, { mode: 0o644 });
    // remoteFor points UserKnownHostsFile at this bed's own (empty) file, never the shared one.
    store = createMemoryStoreAdapter([{ ...remoteFor(bed, user), id: 'gated' }]);
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it('an allowed command runs, with its stdin prompt and a secret env value intact', async () => {
    const prompt = `${'é'.repeat(5000)}$(touch /tmp/never)'"\n`;
    const catRun = await runWithSsh({ command: 'cat', args: [], cwd: '~', prompt }, agentSsh, store, { timeoutMs: 20_000 });
    expect(catRun.errorKind, catRun.errorMessage).toBeUndefined();
    expect(catRun.wrapped.stdin).toBeDefined(); // the prompt travelled on stdin, through the gate
    expect(catRun).toMatchObject({ remoteExitCode: 0, stdout: prompt });

    const envRun = await runWithSsh(
      { command: 'sh', args: ['-c', 'printf "%s|%s" "$API_TOKEN" "$1"', 'sh', "it's $HOME"], cwd: '~', customEnvVars: { API_TOKEN: 'sk-secret value' } },
      agentSsh,
      store,
      { timeoutMs: 20_000 },
    );
    expect(envRun.errorKind, envRun.errorMessage).toBeUndefined();
    expect(envRun.stdout).toBe("sk-secret value|it's $HOME");
    expect(envRun.wrapped.remoteCommand).not.toContain('sk-secret');
  });

  it('a command outside the allow-list is refused before anything runs', async () => {
    const marker = path.join(bed.dir, 'touched');
    const result = await runWithSsh({ command: 'touch', args: [marker], cwd: '~' }, agentSsh, store, { timeoutMs: 20_000 });
    expect(result.remoteStarted).toBe(false);
    expect(result.errorKind).toBe('unknown');
    expect(result.errorMessage).toContain('sshwrap-gate: refused: command not allowed: touch');
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('a cancelled run is stopped on the remote: the remote kill passes the gate', async () => {
    const controller = new AbortController();
    const pending = runWithSsh({ command: 'sleep', args: ['41.5173'], cwd: '~' }, agentSsh, store, {
      signal: controller.signal,
      lifeline: false, // prove the remote kill (second connection, through the gate) does it alone
      onEvent: (event) => {
        if (event.type === 'started') controller.abort();
      },
    });
    const result = await pending;
    expect(result.aborted).toBe(true);
    expect(await eventually(() => processesWith('sleep 41.5173').length === 0, 8_000)).toBe(true);
  });

  it('logs one line per decision, never the script', () => {
    const text = fs.readFileSync(log, 'utf8');
    expect(text).toMatch(/ allowed: cat\n/);
    expect(text).toMatch(/ allowed: sh\n/);
    expect(text).toMatch(/ refused: command not allowed: touch\n/);
    expect(text).toMatch(/ allowed: \(remote kill\)\n/);
    expect(text).not.toContain('sk-secret');
  });
});
