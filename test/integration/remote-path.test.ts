import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runWithSsh } from '../../src/exec/index.js';
import { testConnection } from '../../src/test-connection/index.js';
import { ALL_SHELLS, type TestbedUser } from '../testbed/index.js';
import { remoteSetup, userFor } from '../exec/testbed-helpers.js';

const tb = inject('testbed');
const suffix = randomBytes(4).toString('hex');
// Unique names: other test files share these users' homes.
const LOCAL_AGENT = `swrp-local-${suffix}`;
const NVM_AGENT = `swrp-nvm-${suffix}`;
const LIST_AGENT = `swrp-list-${suffix}`;
const NVM_BIN = '.nvm/versions/node/v20.1.0/bin';
const LIST_DIR = `swrp-tools-${suffix}/bin`;

/** mkdir -p under the user's home, owned by the user like their own installs would be. */
function mkdirOwned(user: TestbedUser, relative: string): string {
  const { uid, gid } = fs.statSync(user.home);
  let current = user.home;
  for (const part of relative.split('/')) {
    current = path.join(current, part);
    if (!fs.existsSync(current)) {
      fs.mkdirSync(current, { mode: 0o755 });
      fs.chownSync(current, uid, gid);
    }
  }
  return current;
}

function installAgent(user: TestbedUser, dir: string, name: string, says: string): string {
  const file = path.join(mkdirOwned(user, dir), name);
  fs.writeFileSync(file, `#!/bin/sh\necho "${says} $*"\n`, { mode: 0o755 });
  const { uid, gid } = fs.statSync(user.home);
  fs.chownSync(file, uid, gid);
  return file;
}

describe.skipIf(!tb)('remote PATH: agents installed per user are found without sourcing profiles', () => {
  const info = tb!;
  const createdNvm = new Set<string>();

  beforeAll(() => {
    for (const user of info.users) {
      if (!fs.existsSync(path.join(user.home, '.nvm'))) createdNvm.add(user.home);
      installAgent(user, '.local/bin', LOCAL_AGENT, 'local-bin-agent');
      installAgent(user, NVM_BIN, NVM_AGENT, 'nvm-agent');
      installAgent(user, LIST_DIR, LIST_AGENT, 'list-agent');
    }
  });
  afterAll(() => {
    for (const user of info.users) {
      fs.rmSync(path.join(user.home, '.local/bin', LOCAL_AGENT), { force: true });
      fs.rmSync(path.join(user.home, NVM_BIN, NVM_AGENT), { force: true });
      fs.rmSync(path.join(user.home, `swrp-tools-${suffix}`), { recursive: true, force: true });
      if (createdNvm.has(user.home)) fs.rmSync(path.join(user.home, '.nvm'), { recursive: true, force: true });
    }
  });

  describe.concurrent.each(ALL_SHELLS)('%s login shell', (shell) => {
    const user = (): TestbedUser => userFor(info, shell);

    it("'augment' (default) finds ~/.local/bin and the nvm bin; 'inherit' does not", async () => {
      const { store, agentSsh } = remoteSetup(info, user());
      for (const [agent, says] of [
        [LOCAL_AGENT, 'local-bin-agent'],
        [NVM_AGENT, 'nvm-agent'],
      ] as const) {
        const found = await runWithSsh({ command: agent, args: ['x y'], cwd: '~' }, agentSsh, store);
        expect(found).toMatchObject({ remoteExitCode: 0, stdout: `${says} x y\n`, stderr: '' });
        const inherited = await runWithSsh({ command: agent, args: [], cwd: '~' }, agentSsh, store, { remotePath: 'inherit' });
        expect(inherited).toMatchObject({ errorKind: 'agent-not-found', exitCode: 127, remoteStarted: false });
      }
    });

    it('testConnection uses the same PATH for agentAvailable', async () => {
      const { remote } = remoteSetup(info, user());
      const local = await testConnection(remote, LOCAL_AGENT);
      expect(local.details).toMatchObject({ agentAvailable: true, agentPath: path.join(user().home, '.local/bin', LOCAL_AGENT) });
      const nvm = await testConnection(remote, NVM_AGENT);
      expect(nvm.details).toMatchObject({ agentAvailable: true, agentPath: path.join(user().home, NVM_BIN, NVM_AGENT) });
      const inherited = await testConnection(remote, LOCAL_AGENT, { remotePath: 'inherit' });
      expect(inherited).toMatchObject({ success: true, details: { agentAvailable: false }, errorKind: 'agent-not-found' });
      const nvmInherited = await testConnection(remote, NVM_AGENT, { remotePath: 'inherit' });
      expect(nvmInherited.details?.agentAvailable).toBe(false);
    });

    it('an explicit list prepends exactly those directories (~ expanded remotely)', async () => {
      const { store, agentSsh } = remoteSetup(info, user());
      const result = await runWithSsh({ command: LIST_AGENT, args: [], cwd: '~' }, agentSsh, store, { remotePath: [`~/${LIST_DIR}`] });
      expect(result).toMatchObject({ remoteExitCode: 0, stdout: 'list-agent \n' });
      const absent = await runWithSsh({ command: LOCAL_AGENT, args: [], cwd: '~' }, agentSsh, store, { remotePath: [`~/${LIST_DIR}`] });
      expect(absent.errorKind).toBe('agent-not-found');
    });
  });
});
