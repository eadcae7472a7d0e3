import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runWithSsh } from '../../src/exec/index.js';
import { testConnection } from '../../src/test-connection/index.js';
import { ALL_SHELLS, type TestbedUser } from '../testbed/index.js';
import { remoteSetup, userFor } from '../exec/testbed-helpers.js';
import { FakeInstalls, ownerOf } from './helpers/runtime-fakes.js';

const tb = inject('testbed');
const suffix = randomBytes(4).toString('hex');
// Unique names: other test files share these users' homes.
const LOCAL_AGENT = `swrp-local-${suffix}`;
const NVM_AGENT = `swrp-nvm-${suffix}`;
const LIST_AGENT = `swrp-list-${suffix}`;
// The layout: nvm with v18.20.4 and v20.11.1, `nvm alias default 18`, the agent under v18 only.
const NVM_BIN = '.nvm/versions/node/v18.20.4/bin';
const NVM_NEWER_BIN = '.nvm/versions/node/v20.11.1/bin';
const LIST_DIR = `swrp-tools-${suffix}/bin`;

describe.skipIf(!tb)('remote PATH: agents installed per user are found without sourcing profiles', () => {
  const info = tb!;
  const installs = new FakeInstalls();
  // Homes where ~/.nvm/alias/default is ours: elsewhere another test's nvm default is left alone.
  const ownDefault = new Set<string>();

  beforeAll(() => {
    for (const user of info.users) {
      const owner = ownerOf(user.home);
      const at = (dir: string): string => path.join(user.home, dir);
      installs.agent(at('.local/bin'), LOCAL_AGENT, 'local-bin-agent', owner);
      installs.agent(at(NVM_BIN), NVM_AGENT, 'nvm-agent', owner);
      installs.mkdir(at(NVM_NEWER_BIN), owner);
      if (!fs.existsSync(at('.nvm/alias/default'))) {
        installs.file(at('.nvm/alias/default'), '18\n', owner, 0o644);
        ownDefault.add(user.home);
      }
      installs.agent(at(LIST_DIR), LIST_AGENT, 'list-agent', owner);
    }
  });
  afterAll(() => installs.removeAll());

  describe.concurrent.each(ALL_SHELLS)('%s login shell', (shell) => {
    const user = (): TestbedUser => userFor(info, shell);

    it("'augment' (default) finds ~/.local/bin and the nvm default (`18`: v18.20.4, not the newer v20.11.1); 'inherit' does not", async ({ skip }) => {
      if (!ownDefault.has(user().home)) skip('another test file owns this ~/.nvm/alias/default');
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

    it('testConnection uses the same PATH for agentAvailable', async ({ skip }) => {
      if (!ownDefault.has(user().home)) skip('another test file owns this ~/.nvm/alias/default');
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
      expect(result).toMatchObject({ remoteExitCode: 0, stdout: 'list-agent\n' });
      const absent = await runWithSsh({ command: LOCAL_AGENT, args: [], cwd: '~' }, agentSsh, store, { remotePath: [`~/${LIST_DIR}`] });
      expect(absent.errorKind).toBe('agent-not-found');
    });
  });
});
