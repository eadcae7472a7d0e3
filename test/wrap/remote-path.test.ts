import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AUGMENTED_PATH_DIRS, remotePathLines } from '../../src/wrap/index.js';

// The remote script runs under /bin/sh: dash (Debian), bash (macOS, in POSIX mode as sh), busybox
// (Alpine), mksh. Each one is run directly, by absolute path, so a test can empty PATH.
const SHELLS: ReadonlyArray<readonly [name: string, argv: readonly string[]]> = (
  [
    ['dash', ['/usr/bin/dash']],
    ['bash --posix', ['/bin/bash', '--posix']],
    ['busybox sh', ['/usr/bin/busybox', 'sh']],
    ['mksh', ['/usr/bin/mksh']],
  ] as const
).filter(([, argv]) => existsSync(argv[0]));

const root = realpathSync(mkdtempSync(join(tmpdir(), 'sshwrap-remote-path-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let homes = 0;

/** A fresh HOME with these directories (relative to it) created. */
function homeWith(dirs: readonly string[]): string {
  const home = join(root, `h${homes++}`);
  mkdirSync(home);
  for (const dir of dirs) mkdirSync(join(home, dir), { recursive: true });
  return home;
}

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function runAugment(argv: readonly string[], home: string, env: Record<string, string> = {}, tail = 'printf %s "$PATH"', path = '/usr/bin:/bin') {
  const script = [...remotePathLines('augment'), tail].join('\n');
  const [shell, ...options] = argv as [string, ...string[]];
  const result = spawnSync(shell, [...options, '-c', script], { env: { PATH: path, HOME: home, ...env }, encoding: 'utf8', cwd: '/' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout;
}

/** PATH entries the script added under `home` (system dirs that exist on this machine vary). */
function added(argv: readonly string[], home: string, env: Record<string, string> = {}): string[] {
  return runAugment(argv, home, env)
    .split(':')
    .filter((entry) => entry.startsWith(`${home}/`))
    .map((entry) => entry.slice(home.length + 1));
}

const nvmVersionOf = (entries: readonly string[]): string | undefined =>
  entries.map((entry) => /^(?:\.nvm|nvm)\/versions\/node\/([^/]+)\/bin$/.exec(entry)?.[1]).find(Boolean);

describe('AUGMENTED_PATH_DIRS', () => {
  it('is the table in docs/remote-path.md, numbered in the same order, and frozen', () => {
    const doc = readFileSync(new URL('../../docs/remote-path.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf("## The `'augment'` directories"), doc.indexOf('## nvm'));
    const rows = [...section.matchAll(/^\| (\d+) \| `([^`]+)` \|/gm)];
    expect(rows.map((row) => row[2])).toEqual(AUGMENTED_PATH_DIRS);
    expect(rows.map((row) => Number(row[1]))).toEqual(AUGMENTED_PATH_DIRS.map((_, i) => i + 1));
    expect(Object.isFrozen(AUGMENTED_PATH_DIRS)).toBe(true);
    expect(remotePathLines()).toBe(remotePathLines('augment'));
    expect(remotePathLines().at(-1)).toBe('export PATH');
  });

  it('sources no profile and runs no external command (builtins only)', () => {
    expect(remotePathLines().join('\n')).not.toMatch(/(^|[\s;&|])(\.|source)\s+["~$/]/m);
    expect(remotePathLines().join('\n')).not.toMatch(/\$\((?!\()|`/);
  });
});

describe("an explicit list and 'inherit'", () => {
  it('a list is prepended in order, existing or not; an empty list and inherit change nothing', () => {
    const result = spawnSync('/bin/sh', ['-c', [...remotePathLines(['/a', '~/b']), 'printf %s "$PATH"'].join('\n')], { env: { PATH: '/usr/bin:/bin', HOME: '/h' }, encoding: 'utf8' });
    expect(result.stdout).toBe('/a:/h/b:/usr/bin:/bin');
    expect(remotePathLines([])).toEqual([]);
    expect(remotePathLines('inherit')).toEqual([]);
  });
});

// Every row of the table that lives under $HOME with its default location, in the documented order.
const ALL_HOME_DIRS = [
  '.local/bin', 'bin', '.claude/local', '.opencode/bin', '.nvm/versions/node/v20.1.0/bin', '.local/share/fnm/aliases/default/bin',
  '.volta/bin', '.nodenv/shims', '.local/share/mise/shims', '.asdf/shims', '.proto/shims', '.proto/bin', '.pyenv/shims', '.pyenv/bin',
  '.rbenv/shims', '.rbenv/bin', '.local/share/pnpm', 'Library/pnpm', '.npm-global/bin', '.yarn/bin', '.bun/bin', '.deno/bin',
  '.cargo/bin', 'go/bin', '.nix-profile/bin', '.local/state/nix/profile/bin', '.linuxbrew/bin',
];

describe.each(SHELLS)("'augment' under %s", (_name, argv) => {
  it('prepends every existing per-user dir in the documented order, before the system dirs', () => {
    const base = runAugment(argv, homeWith([]));
    const home = homeWith(ALL_HOME_DIRS);
    expect(runAugment(argv, home)).toBe([...ALL_HOME_DIRS.map((dir) => `${home}/${dir}`), base].join(':'));
    // Only the ones that exist.
    const some = homeWith(['go/bin', '.local/bin', '.pyenv/shims', '.cargo/bin']);
    expect(added(argv, some)).toEqual(['.local/bin', '.pyenv/shims', '.cargo/bin', 'go/bin']);
  });

  it('honours the managers\' variables instead of their defaults', () => {
    const vars = {
      VOLTA_HOME: 'volta', N_PREFIX: 'n', NODENV_ROOT: 'nodenv', MISE_DATA_DIR: 'mise', ASDF_DATA_DIR: 'asdf', PROTO_HOME: 'proto',
      PYENV_ROOT: 'pyenv', RBENV_ROOT: 'rbenv', PNPM_HOME: 'pnpm', BUN_INSTALL: 'bun', DENO_INSTALL: 'deno', CARGO_HOME: 'cargo',
      GOBIN: 'gobin', XDG_STATE_HOME: 'state',
    };
    const home = homeWith([
      'volta/bin', 'n/bin', 'nodenv/shims', 'mise/shims', 'asdf/shims', 'proto/shims', 'proto/bin', 'pyenv/shims', 'pyenv/bin', 'rbenv/shims', 'rbenv/bin',
      'pnpm', 'bun/bin', 'deno/bin', 'cargo/bin', 'gobin', 'gp1/bin', 'gp2/bin', 'state/nix/profile/bin',
      // The defaults exist too, and must not be used when the variable says otherwise.
      '.volta/bin', '.asdf/shims', '.pyenv/shims', '.cargo/bin', '.local/state/nix/profile/bin',
    ]);
    const env = { ...Object.fromEntries(Object.entries(vars).map(([name, dir]) => [name, `${home}/${dir}`])), GOPATH: `${home}/gp1:${home}/gp2` };
    expect(added(argv, home, env)).toEqual([
      'volta/bin', 'n/bin', 'nodenv/shims', 'mise/shims', 'asdf/shims', 'proto/shims', 'proto/bin', 'pyenv/shims', 'pyenv/bin', 'rbenv/shims', 'rbenv/bin',
      'pnpm', 'bun/bin', 'deno/bin', 'cargo/bin', 'gobin', 'gp1/bin', 'state/nix/profile/bin',
    ]);
    const xdg = homeWith(['data/mise/shims', 'data/pnpm', 'data/fnm/aliases/default/bin', '.local/share/mise/shims']);
    expect(added(argv, xdg, { XDG_DATA_HOME: `${xdg}/data` })).toEqual(['data/fnm/aliases/default/bin', 'data/mise/shims', 'data/pnpm']);
  });

  it("chooses fnm's base dir like fnm: FNM_DIR, else the XDG data dir, else ~/.fnm, else macOS's", () => {
    const all = homeWith(['fnm-dir/aliases/default/bin', '.local/share/fnm/aliases/default/bin', '.fnm/aliases/default/bin', 'Library/Application Support/fnm/aliases/default/bin']);
    expect(added(argv, all, { FNM_DIR: `${all}/fnm-dir` })).toEqual(['fnm-dir/aliases/default/bin']);
    expect(added(argv, all)).toEqual(['.local/share/fnm/aliases/default/bin']);
    expect(added(argv, homeWith(['.fnm/aliases/default/bin', 'Library/Application Support/fnm/aliases/default/bin']))).toEqual(['.fnm/aliases/default/bin']);
    expect(added(argv, homeWith(['Library/Application Support/fnm/aliases/default/bin']))).toEqual(['Library/Application Support/fnm/aliases/default/bin']);
    // fnm uses the XDG dir once it exists, even without a default there: so does sshwrap.
    expect(added(argv, homeWith(['.local/share/fnm/node-versions', '.fnm/aliases/default/bin']))).toEqual([]);
  });

  it('keeps a dir already on PATH in its place, once', () => {
    const home = homeWith(['bin', '.local/bin']);
    const path = runAugment(argv, home, {}, 'printf %s "$PATH"', `/usr/bin:${home}/bin:/bin`);
    expect(path.split(':').filter((entry) => entry === `${home}/bin`)).toHaveLength(1);
    expect(path).toMatch(new RegExp(`^${home}/.local/bin:.*:/usr/bin:${home}/bin:/bin$`));
  });

  it('exports PATH and leaves no __sw_ variable in the environment', () => {
    const home = homeWith(['.local/bin', '.nvm/versions/node/v18.0.0/bin', '.nvm/alias']);
    write(join(home, '.nvm/alias/default'), '18\n');
    const env = runAugment(argv, home, {}, 'exec /usr/bin/env');
    expect(env).toContain(`PATH=${home}/.local/bin:${home}/.nvm/versions/node/v18.0.0/bin:`);
    expect(env).not.toContain('__sw_');
    const names = [...new Set(remotePathLines().join('\n').match(/__sw_\w+/g))];
    expect(names.length).toBeGreaterThan(10);
    expect(runAugment(argv, home, {}, `echo "${names.map((name) => `\${${name}+${name}}`).join('')}"`)).toBe('\n');
  });

  it('needs no command from PATH: an nvm alias chain resolves with PATH empty of tools', () => {
    const home = homeWith(['.local/bin', ...['v18.2.0', 'v18.10.0', 'v20.0.0'].map((v) => `.nvm/versions/node/${v}/bin`)]);
    write(join(home, '.nvm/alias/default'), 'lts/*\n');
    write(join(home, '.nvm/alias/lts/*'), 'lts/iron\n');
    write(join(home, '.nvm/alias/lts/iron'), '18\n');
    const path = runAugment(argv, home, {}, 'echo "$PATH"', '/nonexistent');
    expect(path).toMatch(new RegExp(`^${home}/.local/bin:${home}/.nvm/versions/node/v18.10.0/bin:(/[^:]+:)*/nonexistent\n$`));
  });
});

// nvm's alias/default forms. Installed: these versions; alias/lts/* and alias/lts/iron as
// `nvm install --lts` writes them; a user alias `work` and a chain `chain` → `work` → `10`.
const INSTALLED = ['v9.1.0', 'v10.0.0', 'v18.2.0', 'v18.10.1', 'v18.20.4', 'v20.11.1'];
const ALIASES: Record<string, string> = { 'lts/*': 'lts/iron\n', 'lts/iron': 'v18.10.1\n', work: '18.2\n', chain: 'work2\n', work2: '10\n', loop: 'loop2\n', loop2: 'loop\n' };
const ALIAS_FORMS: ReadonlyArray<readonly [what: string, content: string | undefined, runs: string | undefined]> = [
  ['exact with v', 'v18.10.1\n', 'v18.10.1'],
  ['exact without v', '18.10.1\n', 'v18.10.1'],
  ['exact, no trailing newline', '18.20.4', 'v18.20.4'],
  ['major prefix', '18\n', 'v18.20.4'],
  ['major prefix with v', 'v18\n', 'v18.20.4'],
  ['major.minor prefix', '18.20\n', 'v18.20.4'],
  ['major.minor prefix that is a prefix of another minor', '18.2\n', 'v18.2.0'],
  ['single-digit major (not 10 or 18)', '9\n', 'v9.1.0'],
  ['a major nothing matches as a component', '1\n', 'v20.11.1'],
  ['an alias naming a user alias', 'work\n', 'v18.2.0'],
  ['a chain of aliases', 'chain\n', 'v10.0.0'],
  ['node', 'node\n', 'v20.11.1'],
  ['stable', 'stable\n', 'v20.11.1'],
  ['lts/*', 'lts/*\n', 'v18.10.1'],
  ['lts/iron', 'lts/iron\n', 'v18.10.1'],
  ['lts/<name> never installed', 'lts/hydrogen\n', 'v20.11.1'],
  ['comments and blank lines', '\n   # pinned for the agent\n18.2 # LTS\n', 'v18.2.0'],
  ['an uninstalled version', '16.0.0\n', 'v20.11.1'],
  ['an empty file', '', 'v20.11.1'],
  ['a cycle', 'loop\n', 'v20.11.1'],
  ['a path out of the alias dir', '../../x\n', 'v20.11.1'],
  ['unstable', 'unstable\n', 'v20.11.1'],
  ['no alias/default', undefined, 'v20.11.1'],
  ['system', 'system\n', undefined],
];

describe.each(SHELLS)('nvm alias/default under %s', (_name, argv) => {
  const home = homeWith(INSTALLED.map((v) => `.nvm/versions/node/${v}/bin`));
  for (const [name, content] of Object.entries(ALIASES)) write(join(home, '.nvm/alias', name), content);

  it.each(ALIAS_FORMS)('%s', (_what, content, runs) => {
    const nvmDir = join(root, `nvm-${homes++}`);
    cpSync(join(home, '.nvm'), nvmDir, { recursive: true });
    if (content !== undefined) write(join(nvmDir, 'alias/default'), content);
    expect(nvmVersionOf(added(argv, root, { NVM_DIR: nvmDir }).map((entry) => entry.replace(/^nvm-\d+/, 'nvm')))).toBe(runs);
  });

  it('sorts versions numerically per group: v9 < v10, v18.2 < v18.10, v18.10.2 < v18.10.10', () => {
    const pick = (versions: string[]): string | undefined => nvmVersionOf(added(argv, homeWith(versions.map((v) => `.nvm/versions/node/${v}/bin`))));
    // Both "first in glob order" and "last in glob order" (a string sort) get some of these wrong.
    expect(pick(['v9.0.0', 'v10.0.0'])).toBe('v10.0.0');
    expect(pick(['v9.0.0', 'v8.0.0'])).toBe('v9.0.0');
    expect(pick(['v18.2.0', 'v18.3.0'])).toBe('v18.3.0');
    expect(pick(['v18.2.0', 'v18.10.0', 'v18.9.9'])).toBe('v18.10.0');
    expect(pick(['v18.10.2', 'v18.10.3'])).toBe('v18.10.3');
    expect(pick(['v18.10.2', 'v18.10.10', 'v18.10.9'])).toBe('v18.10.10');
    // Not versions, or without a bin dir: skipped.
    expect(pick(['v18.0.0', 'v99.x.0', 'v20.0.0-rc.1', 'vv21.0.0', 'v22.0'])).toBe('v18.0.0');
    const noBin = homeWith(['.nvm/versions/node/v18.0.0/bin', '.nvm/versions/node/v20.0.0']);
    expect(nvmVersionOf(added(argv, noBin))).toBe('v18.0.0');
  });

  it('finds nvm at NVM_DIR, ~/.nvm, or ${XDG_CONFIG_HOME:-~/.config}/nvm; adds nothing without versions', () => {
    const xdg = homeWith(['.config/nvm/versions/node/v18.0.0/bin']);
    expect(added(argv, xdg)).toEqual(['.config/nvm/versions/node/v18.0.0/bin']);
    const custom = homeWith(['cfg/nvm/versions/node/v19.0.0/bin', '.nvm/versions/node/v18.0.0/bin']);
    expect(added(argv, custom, { XDG_CONFIG_HOME: `${custom}/cfg` })).toEqual(['.nvm/versions/node/v18.0.0/bin']);
    expect(added(argv, homeWith(['cfg/nvm/versions/node/v19.0.0/bin']), { XDG_CONFIG_HOME: `${root}/h${homes - 1}/cfg` })).toEqual(['cfg/nvm/versions/node/v19.0.0/bin']);
    expect(added(argv, homeWith(['.nvm/alias', '.nvm/versions/node']))).toEqual([]);
  });
});

type Version = readonly [number, number, number];
const compare = (a: Version, b: Version): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** What nvm selects for a prefix alias (newest installed match); sshwrap's fallback: newest overall. */
function reference(installed: readonly Version[], prefix: readonly number[]): Version {
  const newest = (versions: readonly Version[]) => [...versions].sort(compare).at(-1);
  return newest(installed.filter((v) => prefix.every((part, i) => v[i] === part))) ?? newest(installed)!;
}

describe('nvm prefix aliases (property)', () => {
  it('picks the numerically newest installed match of `18` / `18.2`, else the newest, on every shell', () => {
    const part = fc.integer({ min: 0, max: 30 });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(part, part, part), { minLength: 1, maxLength: 8, selector: (v) => v.join('.') }),
        fc.array(part, { minLength: 1, maxLength: 2 }),
        fc.boolean(),
        fc.constantFrom(...SHELLS),
        (installed, prefix, withV, [, argv]) => {
          const home = homeWith(installed.map((v) => `.nvm/versions/node/v${v.join('.')}/bin`));
          write(join(home, '.nvm/alias/default'), `${withV ? 'v' : ''}${prefix.join('.')}\n`);
          expect(nvmVersionOf(added(argv, home))).toBe(`v${reference(installed, prefix).join('.')}`);
        },
      ),
      { numRuns: 60 },
    );
  });
});
