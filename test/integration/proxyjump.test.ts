import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runWithSsh } from '../../src/exec/index.js';
import { ConnectionPool } from '../../src/pool/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { parseSshRemoteConfig, type SshRemoteConfigInput } from '../../src/schemas/index.js';
import { testConnection } from '../../src/test-connection/index.js';
import { startTestbed, type Testbed } from '../testbed/index.js';
import { userFor } from '../exec/testbed-helpers.js';

// The shared test bed is the destination; two private sshds (with sshd's default
// AllowTcpForwarding yes, which `ssh -W` needs) are the hops. Each hop's log counts the
// connections that really went through it.
const tb = inject('testbed');

describe.skipIf(!tb)('ProxyJump through real sshd hops', () => {
  const info = tb!;
  let hopA: Testbed;
  let hopB: Testbed;
  let dir: string;
  /** known_hosts with the destination's and both hops' keys. */
  let allKnown: string;
  let pool: ConnectionPool;
  let controlDir: string;

  const accepted = (bed: Testbed): number => (fs.readFileSync(bed.sshdLog, 'utf8').match(/Accepted publickey/g) ?? []).length;
  const hop = (bed: Testbed): string => `${bed.users[0]!.name}@127.0.0.1:${bed.port}`;
  const bash = () => userFor(info, 'bash');

  /** The remote: the key and known-hosts file are set on the remote only, never on the hops. */
  function remoteVia(jumpHosts: SshRemoteConfigInput['jumpHosts'], extra: Partial<SshRemoteConfigInput> = {}): SshRemoteConfigInput {
    return {
      id: `pj-${Math.random().toString(36).slice(2)}`,
      host: '127.0.0.1',
      port: info.port,
      username: bash().name,
      privateKeyPath: info.clientKey,
      hostKeyPolicy: 'strict',
      customOptions: { UserKnownHostsFile: allKnown, GlobalKnownHostsFile: '/dev/null', IdentityAgent: 'none' },
      jumpHosts,
      ...extra,
    };
  }

  async function run(remote: SshRemoteConfigInput, options: Parameters<typeof runWithSsh>[3] = {}) {
    const parsed = parseSshRemoteConfig(remote);
    return runWithSsh({ command: 'id', args: ['-un'], cwd: '~' }, { enabled: true, remoteId: parsed.id }, createMemoryStoreAdapter([parsed]), { timeoutMs: 60_000, ...options });
  }

  beforeAll(async () => {
    [hopA, hopB] = await Promise.all([startTestbed({ users: 'current' }), startTestbed({ users: 'current' })]);
    dir = fs.mkdtempSync('/tmp/swpj-');
    allKnown = path.join(dir, 'known_hosts_all');
    fs.writeFileSync(allKnown, [info.trustedKnownHostsFile, hopA.trustedKnownHostsFile, hopB.trustedKnownHostsFile].map((file) => fs.readFileSync(file, 'utf8')).join(''));
    // The hops accept the destination's key too (each private bed made its own client key).
    for (const bed of [hopA, hopB]) fs.appendFileSync(path.join(bed.dir, 'authorized_keys', bed.users[0]!.name), fs.readFileSync(`${info.clientKey}.pub`));
    controlDir = fs.mkdtempSync('/tmp/swpjc-');
    pool = new ConnectionPool({ controlDir });
  }, 120_000);

  afterAll(async () => {
    await pool?.closeAll();
    await Promise.all([hopA?.stop(), hopB?.stop()]);
    for (const target of [dir, controlDir]) if (target) fs.rmSync(target, { recursive: true, force: true });
  });

  it("one hop: the issue's remote (key and known_hosts on the remote only, strict) runs, through the hop", async () => {
    const before = accepted(hopA);
    const result = await run(remoteVia([hop(hopA)]));
    expect(result).toMatchObject({ exitCode: 0, remoteExitCode: 0, stdout: `${bash().name}\n` });
    expect(result.errorKind).toBeUndefined();
    expect(accepted(hopA) - before).toBe(1);
  });

  it('a chain of two hops: A then B then the host, each hop with the remote settings', async () => {
    const [beforeA, beforeB] = [accepted(hopA), accepted(hopB)];
    const result = await run(remoteVia([hop(hopA), hop(hopB)]));
    expect(result).toMatchObject({ exitCode: 0, stdout: `${bash().name}\n` });
    expect([accepted(hopA) - beforeA, accepted(hopB) - beforeB]).toEqual([1, 1]);
  });

  it('testConnection through one hop and through two', async () => {
    for (const jumpHosts of [[hop(hopA)], [hop(hopA), hop(hopB)]]) {
      const before = accepted(hopA);
      const result = await testConnection(remoteVia(jumpHosts), 'sh');
      expect(result).toMatchObject({ success: true, details: { username: bash().name, agentAvailable: true } });
      expect(accepted(hopA) - before).toBe(1);
    }
  });

  it('pooled: the master goes through the hops; three runs and a testConnection cost one connection per hop', async () => {
    for (const jumpHosts of [[hop(hopA)], [hop(hopA), hop(hopB)]]) {
      const remote = remoteVia(jumpHosts);
      const [beforeA, beforeB] = [accepted(hopA), accepted(hopB)];
      for (let i = 0; i < 3; i++) {
        expect(await run(remote, { multiplex: true, connectionPool: pool })).toMatchObject({ exitCode: 0, stdout: `${bash().name}\n` });
      }
      expect(await testConnection(remote, 'sh', { multiplex: true, connectionPool: pool })).toMatchObject({ success: true });
      expect([accepted(hopA) - beforeA, accepted(hopB) - beforeB]).toEqual([1, jumpHosts.length === 2 ? 1 : 0]);
    }
  });

  it('pooled: the same host, user and port with and without a hop get two masters (the ControlPath tells them apart)', async () => {
    const freshDir = fs.mkdtempSync('/tmp/swpjd-');
    const fresh = new ConnectionPool({ controlDir: freshDir });
    try {
      expect(await run(remoteVia(undefined), { multiplex: true, connectionPool: fresh })).toMatchObject({ exitCode: 0 });
      const before = accepted(hopA);
      // Reusing the direct master would skip the hop: its log would not move.
      expect(await run(remoteVia([hop(hopA)]), { multiplex: true, connectionPool: fresh })).toMatchObject({ exitCode: 0 });
      expect(accepted(hopA) - before).toBe(1);
      expect(fs.readdirSync(freshDir, { recursive: true }).length).toBeGreaterThanOrEqual(2);
    } finally {
      await fresh.closeAll();
      fs.rmSync(freshDir, { recursive: true, force: true });
    }
  });

  it('an object hop with its own key and known_hosts file: only that key is authorised there, only that file knows the hop', async () => {
    const hopKey = path.join(dir, 'hop_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'sshwrap-hop', '-f', hopKey]);
    const authorized = path.join(hopB.dir, 'authorized_keys', hopB.users[0]!.name);
    const saved = fs.readFileSync(authorized, 'utf8');
    fs.writeFileSync(authorized, fs.readFileSync(`${hopKey}.pub`));
    try {
      const hopObject = { host: '127.0.0.1', port: hopB.port, username: hopB.users[0]!.name, privateKeyPath: hopKey, knownHostsFile: hopB.trustedKnownHostsFile };
      const onlyDestination = { UserKnownHostsFile: info.trustedKnownHostsFile, GlobalKnownHostsFile: '/dev/null', IdentityAgent: 'none' };
      const before = accepted(hopB);
      const result = await run(remoteVia([hopObject], { customOptions: onlyDestination }));
      expect(result).toMatchObject({ exitCode: 0, stdout: `${bash().name}\n` });
      expect(accepted(hopB) - before).toBe(1);
      // Without its own key, the hop gets the remote's, which hop B no longer accepts.
      const { privateKeyPath: _key, ...keyless } = hopObject;
      expect((await run(remoteVia([keyless], { customOptions: onlyDestination }))).errorKind).toBe('auth-failed');
      // Without its own known_hosts file, the hop gets the remote's, which lacks hop B: strict refuses.
      const { knownHostsFile: _known, ...unknown } = hopObject;
      const refused = await run(remoteVia([unknown], { customOptions: onlyDestination }));
      expect(refused.errorKind).toBe('host-key-unknown');
      expect(refused.hint).toContain(`ssh-keyscan -p ${hopB.port} 127.0.0.1`);
    } finally {
      fs.writeFileSync(authorized, saved);
    }
  });

  it("useSshConfig: a hop's own ssh_config entry (HostName, Port, User) applies, from the run's -F file", async () => {
    const config = path.join(dir, 'ssh_config');
    fs.writeFileSync(config, ['Host hop-a', '  HostName 127.0.0.1', `  Port ${hopA.port}`, `  User ${hopA.users[0]!.name}`, ''].join('\n'));
    const before = accepted(hopA);
    const result = await run(remoteVia(['hop-a'], { useSshConfig: true }), { sshConfigFile: config });
    expect(result).toMatchObject({ exitCode: 0, stdout: `${bash().name}\n` });
    expect(accepted(hopA) - before).toBe(1);
  });

  it("a hop whose key changed is host-key-changed, not the proxy's closed connection", async () => {
    const wrong = path.join(dir, 'known_hosts_wrong_hop');
    const otherKey = fs.readFileSync(`${info.clientKey}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
    fs.writeFileSync(wrong, `[127.0.0.1]:${hopA.port} ${otherKey}\n`);
    const result = await run(remoteVia([{ host: '127.0.0.1', port: hopA.port, username: hopA.users[0]!.name, knownHostsFile: wrong }]));
    expect(result.errorKind).toBe('host-key-changed');
  });
});
