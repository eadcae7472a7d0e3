import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionPool } from '../../src/pool/connection-pool.js';
import { killRemoteProcessGroup } from '../../src/pool/kill-remote.js';
import { parseSshRemoteConfig } from '../../src/schemas/index.js';
import { fakeExecutor, type FakeChild } from '../exec/fake-executor.js';

let controlDir: string;
beforeAll(() => {
  controlDir = fs.mkdtempSync('/tmp/swpe-');
});
afterAll(() => fs.rmSync(controlDir, { recursive: true, force: true }));

const remote = parseSshRemoteConfig({ id: 'gpu', host: 'gpu.example', username: 'dev', privateKeyPath: '/k' });

/** Plays OpenSSH for the pool: `-G` prints the ControlPath, a master "starts", `-O check` finds none. */
function fakeSsh(child: FakeChild): void {
  const args = child.args;
  if (args.includes('-G')) {
    const template = args.find((arg) => arg.startsWith('ControlPath='))!.slice('ControlPath='.length);
    child.stdout.write(`user dev\ncontrolpath ${template.replace('%C', 'c'.repeat(40))}\n`);
    child.exit(0);
  } else if (args.includes('-O')) {
    child.stderr.write('Control socket connect: No such file or directory\n');
    child.exit(255);
  } else {
    child.exit(0);
  }
}

/** What kind of ssh helper each spawn was. */
const kinds = (executor: { children: FakeChild[] }): string[] =>
  executor.children.map(({ args }) => (args.includes('-G') ? '-G' : args.includes('-O') ? `-O ${args[args.indexOf('-O') + 1]}` : args[0] === '-N' ? '-N' : 'other'));

describe('ConnectionPool executor', () => {
  it("starts masters with the pool's executor; an acquire's own executor wins; closeAll uses the one that registered the socket", async () => {
    const poolExecutor = fakeExecutor(fakeSsh);
    const callerExecutor = fakeExecutor(fakeSsh);
    const pool = new ConnectionPool({ controlDir, executor: poolExecutor });

    const first = await pool.acquire(remote, true);
    first.release();
    expect(kinds(poolExecutor)).toEqual(['-G', '-N']);
    expect(poolExecutor.children.find((child) => child.args[0] === '-N')!.args).toContain('ControlMaster=yes');

    // No socket appeared (the fake master is not real), so this acquire starts the master again.
    const second = await pool.acquire(remote, true, { executor: callerExecutor });
    second.release();
    expect(kinds(callerExecutor)).toEqual(['-N']);

    await pool.closeAll();
    expect(kinds(poolExecutor)).toEqual(['-G', '-N']);
    expect(kinds(callerExecutor)).toEqual(['-N', '-O check']);
  });

  it('killRemoteProcessGroup connects through the given executor', async () => {
    const executor = fakeExecutor((child) => child.exit(3));
    const result = await killRemoteProcessGroup(remote, 4242, undefined, 'TERM', { executor, sshPath: '/opt/ssh' });
    expect(result).toMatchObject({ outcome: 'not-found', viaMaster: false });
    expect(executor.children.map((child) => child.command)).toEqual(['/opt/ssh']);
    expect(executor.children[0]!.args.join(' ')).toContain('kill -TERM -4242');
  });
});
