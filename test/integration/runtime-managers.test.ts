import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runWithSsh } from '../../src/exec/index.js';
import { AUGMENTED_PATH_DIRS } from '../../src/wrap/index.js';
import { ALL_SHELLS, type TestbedUser } from '../testbed/index.js';
import { remoteSetup, userFor } from '../exec/testbed-helpers.js';
import { FakeInstalls, ownerOf } from './helpers/runtime-fakes.js';

const tb = inject('testbed');
const suffix = randomBytes(4).toString('hex');
// Unique names: other test files share these users' homes and run at the same time.
const PRIVATE = `swrt-${suffix}`; // a dir of our own in each home (NVM_DIR, FNM_DIR, N_PREFIX, GOPATH)
const agentFor = (id: string): string => `swrt-${suffix}-${id.replace(/[^A-Za-z0-9]+/g, '-')}`;

interface Layout {
  /** The AUGMENTED_PATH_DIRS entry this fakes. */
  readonly row: string;
  /** The directory the fake agent goes in: relative to the home, or absolute. */
  readonly dir: string;
  /** Variables the session needs (values relative to the home), sent on stdin before PATH is set. */
  readonly env?: Readonly<Record<string, string>>;
}

// Every row of the table at its default location, plus the rows that only exist through a variable.
const HOME_LAYOUTS: readonly Layout[] = [
  { row: '~/.local/bin', dir: '.local/bin' },
  { row: '~/bin', dir: 'bin' },
  { row: '~/.claude/local', dir: '.claude/local' },
  { row: '~/.opencode/bin', dir: '.opencode/bin' },
  { row: '${VOLTA_HOME:-~/.volta}/bin', dir: '.volta/bin' },
  { row: '${NODENV_ROOT:-~/.nodenv}/shims', dir: '.nodenv/shims' },
  { row: '${MISE_DATA_DIR:-${XDG_DATA_HOME:-~/.local/share}/mise}/shims', dir: '.local/share/mise/shims' },
  { row: '${ASDF_DATA_DIR:-~/.asdf}/shims', dir: '.asdf/shims' },
  { row: '${PROTO_HOME:-~/.proto}/shims', dir: '.proto/shims' },
  { row: '${PROTO_HOME:-~/.proto}/bin', dir: '.proto/bin' },
  { row: '${PYENV_ROOT:-~/.pyenv}/shims', dir: '.pyenv/shims' },
  { row: '${PYENV_ROOT:-~/.pyenv}/bin', dir: '.pyenv/bin' },
  { row: '${RBENV_ROOT:-~/.rbenv}/shims', dir: '.rbenv/shims' },
  { row: '${RBENV_ROOT:-~/.rbenv}/bin', dir: '.rbenv/bin' },
  { row: '${PNPM_HOME:-${XDG_DATA_HOME:-~/.local/share}/pnpm}', dir: '.local/share/pnpm' },
  { row: '~/Library/pnpm', dir: 'Library/pnpm' },
  { row: '~/.npm-global/bin', dir: '.npm-global/bin' },
  { row: '~/.yarn/bin', dir: '.yarn/bin' },
  { row: '${BUN_INSTALL:-~/.bun}/bin', dir: '.bun/bin' },
  { row: '${DENO_INSTALL:-~/.deno}/bin', dir: '.deno/bin' },
  { row: '${CARGO_HOME:-~/.cargo}/bin', dir: '.cargo/bin' },
  { row: '~/go/bin', dir: 'go/bin' },
  { row: '~/.nix-profile/bin', dir: '.nix-profile/bin' },
  { row: '${XDG_STATE_HOME:-~/.local/state}/nix/profile/bin', dir: '.local/state/nix/profile/bin' },
  { row: '~/.linuxbrew/bin', dir: '.linuxbrew/bin' },
];
const ENV_LAYOUTS: readonly Layout[] = [
  { row: '$N_PREFIX/bin', dir: `${PRIVATE}/n/bin`, env: { N_PREFIX: `${PRIVATE}/n` } },
  { row: '${GOPATH%%:*}/bin', dir: `${PRIVATE}/gopath/bin`, env: { GOPATH: `${PRIVATE}/gopath` } },
  { row: '$GOBIN', dir: `${PRIVATE}/gobin`, env: { GOBIN: `${PRIVATE}/gobin` } },
  { row: '${VOLTA_HOME:-~/.volta}/bin', dir: `${PRIVATE}/volta/bin`, env: { VOLTA_HOME: `${PRIVATE}/volta` } },
  { row: '${PYENV_ROOT:-~/.pyenv}/shims', dir: `${PRIVATE}/pyenv/shims`, env: { PYENV_ROOT: `${PRIVATE}/pyenv` } },
];
// System-wide rows, faked only where this machine has nothing there (the whole tree is ours then).
const SYSTEM_LAYOUTS: ReadonlyArray<Layout & { readonly top: string }> = [
  { row: '/nix/var/nix/profiles/default/bin', dir: '/nix/var/nix/profiles/default/bin', top: '/nix' },
  { row: '/home/linuxbrew/.linuxbrew/bin', dir: '/home/linuxbrew/.linuxbrew/bin', top: '/home/linuxbrew' },
  { row: '/opt/homebrew/bin', dir: '/opt/homebrew/bin', top: '/opt/homebrew' },
  { row: '/snap/bin', dir: '/snap/bin', top: '/snap' },
].filter((layout) => !fs.existsSync(layout.top));

// nvm: every version prints its own name; a decoy of the same name in /usr/local/bin (on sshd's
// PATH) shows that the selected Node wins over a system one, and that `system` selects it.
const NVM_AGENT = agentFor('nvm');
const INSTALLED = ['v9.1.0', 'v10.0.0', 'v18.2.0', 'v18.10.1', 'v18.20.4', 'v20.11.1'];
const ALIASES: Record<string, string> = { 'lts/*': 'lts/iron\n', 'lts/iron': 'v18.10.1\n', work: '18.2\n', chain: 'work2\n', work2: '10\n', loop: 'loop2\n', loop2: 'loop\n' };
const ALIAS_FORMS: ReadonlyArray<readonly [what: string, content: string | undefined, runs: string]> = [
  ['exact with v', 'v18.10.1\n', 'v18.10.1'],
  ['exact without v', '18.10.1\n', 'v18.10.1'],
  ['major prefix (nvm alias default 18)', '18\n', 'v18.20.4'],
  ['major.minor prefix', '18.20\n', 'v18.20.4'],
  ['major.minor prefix of another minor', '18.2\n', 'v18.2.0'],
  ['single-digit major', '9\n', 'v9.1.0'],
  ['a user alias', 'work\n', 'v18.2.0'],
  ['a chain of aliases', 'chain\n', 'v10.0.0'],
  ['node', 'node\n', 'v20.11.1'],
  ['stable', 'stable\n', 'v20.11.1'],
  ['lts/*', 'lts/*\n', 'v18.10.1'],
  ['lts/iron', 'lts/iron\n', 'v18.10.1'],
  ['lts/<name> not installed', 'lts/hydrogen\n', 'v20.11.1'],
  ['an uninstalled version', '16.0.0\n', 'v20.11.1'],
  ['a cycle', 'loop\n', 'v20.11.1'],
  ['no alias/default', undefined, 'v20.11.1'],
  ['system', 'system\n', 'usr-local'],
];
const nvmDirOf = (form: number): string => `${PRIVATE}/nvm-${form}`;

// fnm: `aliases/default` links to the default installation, as `fnm default` makes it.
const FNM_AGENT = agentFor('fnm');
const FNM_HOMES = [
  { base: '.local/share/fnm', defaultVersion: 'v18.20.4' },
  { base: `${PRIVATE}/fnm`, defaultVersion: 'v20.11.1', env: { FNM_DIR: `${PRIVATE}/fnm` } },
] as const;

/** Paths under `dir` (at most 8 levels deep) that carry this run's suffix. */
function leftovers(dir: string, depth = 0): string[] {
  if (depth > 8) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    const own = entry.name.includes(suffix) ? [full] : [];
    return entry.isDirectory() && !entry.isSymbolicLink() ? [...own, ...leftovers(full, depth + 1)] : own;
  });
}

const absolute = (user: TestbedUser, dir: string): string => (path.isAbsolute(dir) ? dir : path.join(user.home, dir));
const envFor = (user: TestbedUser, env: Readonly<Record<string, string>> = {}): Record<string, string> =>
  Object.fromEntries(Object.entries(env).map(([name, value]) => [name, absolute(user, value)]));

describe.skipIf(!tb)('runtime managers: agents installed through them are found, the selected version runs', () => {
  const info = tb!;
  const installs = new FakeInstalls();
  const root = { uid: 0, gid: 0 };

  beforeAll(() => {
    for (const layout of SYSTEM_LAYOUTS) installs.agent(installs.mkdir(layout.dir, root), agentFor(layout.row), layout.row, root);
    installs.agent('/usr/local/bin', agentFor('/usr/local/bin'), '/usr/local/bin', root);
    installs.agent('/usr/local/bin', NVM_AGENT, 'usr-local', root);
    for (const user of info.users) {
      const owner = ownerOf(user.home);
      for (const layout of [...HOME_LAYOUTS, ...ENV_LAYOUTS]) installs.agent(absolute(user, layout.dir), agentFor(layout.row + (layout.env ? '-env' : '')), layout.row, owner);
      ALIAS_FORMS.forEach(([, content], form) => {
        const nvmDir = absolute(user, nvmDirOf(form));
        for (const version of INSTALLED) installs.agent(path.join(nvmDir, 'versions/node', version, 'bin'), NVM_AGENT, version, owner);
        for (const [name, text] of Object.entries(ALIASES)) installs.file(path.join(nvmDir, 'alias', name), text, owner, 0o644);
        if (content !== undefined) installs.file(path.join(nvmDir, 'alias/default'), content, owner, 0o644);
      });
      for (const fnm of FNM_HOMES) {
        const base = absolute(user, fnm.base);
        for (const version of ['v18.20.4', 'v20.11.1']) installs.agent(path.join(base, 'node-versions', version, 'installation/bin'), FNM_AGENT, `fnm ${version}`, owner);
        installs.symlink(path.join(base, 'node-versions', fnm.defaultVersion, 'installation'), path.join(base, 'aliases/default'), owner);
      }
    }
  });
  afterAll(() => {
    installs.removeAll();
    // Nothing of ours is left for the test files that run after this one.
    for (const user of info.users) expect(leftovers(user.home)).toEqual([]);
    for (const layout of SYSTEM_LAYOUTS) expect(fs.existsSync(layout.top)).toBe(false);
    expect(leftovers('/usr/local/bin')).toEqual([]);
  });

  describe.concurrent.each(ALL_SHELLS)('%s login shell', (shell) => {
    const user = (): TestbedUser => userFor(info, shell);
    const run = async (command: string, env: Record<string, string> = {}) => {
      const { store, agentSsh } = remoteSetup(info, user());
      return runWithSsh({ command, args: ['ran'], cwd: '~', customEnvVars: env }, agentSsh, store, { envOnStdin: 'all' });
    };

    it.each([...HOME_LAYOUTS, ...ENV_LAYOUTS, ...SYSTEM_LAYOUTS, { row: '/usr/local/bin', dir: '/usr/local/bin' }])('finds an agent in $row ($dir)', async (layout: Layout) => {
      const result = await run(agentFor(layout.row + (layout.env ? '-env' : '')), envFor(user(), layout.env));
      expect(result).toMatchObject({ remoteExitCode: 0, stdout: `${layout.row} ran\n`, stderr: '' });
    });

    it('puts them on PATH in the documented order, the per-user ones before the system ones', async () => {
      const { store, agentSsh } = remoteSetup(info, user());
      const result = await runWithSsh({ command: 'printenv', args: ['PATH'], cwd: '~' }, agentSsh, store);
      expect(result.remoteExitCode).toBe(0);
      const fnm = { row: '$FNM_DIR/aliases/default/bin', dir: '.local/share/fnm/aliases/default/bin' };
      const ours = [...HOME_LAYOUTS, fnm, ...SYSTEM_LAYOUTS, { row: '/usr/local/bin', dir: '/usr/local/bin' }];
      const byDir = new Map(ours.map((layout) => [absolute(user(), layout.dir), layout.row]));
      const seen = result.stdout.trim().split(':').filter((entry) => byDir.has(entry)).map((entry) => byDir.get(entry));
      const documented = [...new Set(ours.map((layout) => layout.row))].sort((a, b) => AUGMENTED_PATH_DIRS.indexOf(a) - AUGMENTED_PATH_DIRS.indexOf(b));
      expect(seen).toEqual(documented);
    });

    it.each(ALIAS_FORMS.map(([what, , runs], form) => ({ what, runs, form })))('nvm alias/default: $what runs $runs', async ({ runs, form }) => {
      const result = await run(NVM_AGENT, { NVM_DIR: absolute(user(), nvmDirOf(form)) });
      expect(result).toMatchObject({ remoteExitCode: 0, stdout: `${runs} ran\n`, stderr: '' });
    });

    it.each(FNM_HOMES)('fnm: the default alias under $base runs $defaultVersion', async (fnm) => {
      const result = await run(FNM_AGENT, envFor(user(), 'env' in fnm ? fnm.env : {}));
      expect(result).toMatchObject({ remoteExitCode: 0, stdout: `fnm ${fnm.defaultVersion} ran\n`, stderr: '' });
    });
  });
});
