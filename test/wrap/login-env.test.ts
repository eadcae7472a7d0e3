import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { parseSshRemoteConfig, parseSshSpawnWrapConfig } from '../../src/schemas/index.js';
import { buildPowerShellScript, buildRemoteScript, wrapForRemote, type RemoteEnvironment } from '../../src/wrap/index.js';
import { liveGroupMembers } from '../pool/proc-groups.js';

// The remote script under real local shells, with a fake $SHELL and HOME: the login shell is
// started, its environment captured and loaded, exactly as on a remote.

const has = (bin: string): boolean => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
// The /bin/sh flavours the script itself must work under (macOS's sh is bash in POSIX mode).
const OUTER = [['dash'], ['bash', '--posix'], ['busybox', 'sh'], ['mksh']].filter(([bin]) => has(bin!));
const remote = parseSshRemoteConfig({ id: 'r', host: 'h.example', username: 'u' });
const TOKEN = 'tokL';

// Every byte a POSIX word can hold that a shell might mangle: newlines (a trailing one too),
// both quotes, `$`, backslashes, a backquote, a tab, UTF-8.
const TRICKY = `line1\nit's "q" $HOME \\back\\slash \`tick\` \t é\n`;
const posixQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

// Made at load time: the per-shell cases are chosen (skipIf) before any hook runs.
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-login-'));
// busybox picks the applet from argv[0]: $SHELL must be named ash, as on the test sshd.
const ashLink = has('busybox') ? path.join(root, 'ash') : undefined;
if (ashLink) fs.symlinkSync(spawnSync('sh', ['-c', 'command -v busybox']).stdout.toString().trim(), ashLink);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A fresh HOME holding `files` (relative path → content) and an agent in ~/login-bin that only the login PATH has. */
function makeHome(name: string, files: Record<string, string>): string {
  const home = path.join(root, name);
  fs.mkdirSync(path.join(home, 'login-bin'), { recursive: true });
  fs.writeFileSync(path.join(home, 'login-bin', 'sw-login-agent'), '#!/bin/sh\nprintf args:; for a; do printf "[%s]" "$a"; done; printf "|var:%s|mine:%s|secret:%s" "$LOGIN_VAR" "$MINE" "$SECRET"\n', { mode: 0o755 });
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(home, rel)), { recursive: true });
    fs.writeFileSync(path.join(home, rel), content);
  }
  return home;
}

interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  pgid: number;
}

/** Runs the script as sshd would (own session, stdin a pipe left open like ssh's) with $SHELL and HOME faked. */
async function runScript(outer: string[], script: string, env: { HOME: string; SHELL: string }, stdin = ''): Promise<ScriptRun> {
  const started = Date.now();
  const child = spawn(outer[0]!, [...outer.slice(1), '-c', script], {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...env, PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // The script may end before it reads everything (a timed-out login): EPIPE is expected then.
  child.stdin.on('error', () => {});
  child.stdin.write(stdin);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  child.stdin.destroy();
  return { code, stdout, stderr, ms: Date.now() - started, pgid: child.pid! };
}

function script(remoteEnvironment: RemoteEnvironment, extra: { secretEnv?: Record<string, string>; env?: Record<string, string>; remotePath?: string[] } = {}) {
  const config = parseSshSpawnWrapConfig({ command: 'sw-login-agent', args: ['a b', "it's", ''], cwd: '~', ...(extra.env ? { customEnvVars: extra.env } : {}) });
  return wrapForRemote(config, remote, undefined, {
    sshPath: 'ssh',
    localCwd: '/',
    shell: 'posix',
    statusMarker: TOKEN,
    remoteEnvironment,
    ...(extra.secretEnv ? { secretEnv: extra.secretEnv } : {}),
    ...(extra.remotePath ? { remotePath: extra.remotePath } : {}),
  });
}

const markers = (stderr: string): string[] => [...stderr.matchAll(new RegExp(`\\n${TOKEN}:([a-z-]+)`, 'g'))].map((m) => m[1]!);
const withoutMarkers = (stderr: string): string => stderr.replace(new RegExp(`\\n${TOKEN}:[a-z-]+(:\\d+)?\\n`, 'g'), '');

const POSIX_PROFILE = [
  'echo profile-noise-out; echo profile-noise-err >&2',
  `LOGIN_VAR=${posixQuote(TRICKY)}; export LOGIN_VAR`,
  'MINE=from-profile; SECRET=from-profile; export MINE SECRET',
  'PATH="$HOME/login-bin:$PATH"; export PATH',
  '',
].join('\n');

describe('remoteEnvironment option checks', () => {
  it('refuses unknown shapes and bounds outside 1–3600 s before building anything', () => {
    for (const bad of ['interactive', { mode: 'login', timeoutSeconds: 0 }, { mode: 'login', timeoutSeconds: 1.5 }, { mode: 'login', extra: 1 }]) {
      expect(() => buildRemoteScript({ command: 'a', args: [], remoteEnvironment: bad as RemoteEnvironment })).toThrow(SshWrapError);
    }
  });

  it("refuses 'login' for Windows remotes with a typed error", () => {
    const error = (() => {
      try {
        buildPowerShellScript({ command: 'a', args: [], remoteEnvironment: 'login' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SshWrapError);
    expect(error).toMatchObject({ code: 'INVALID_CONFIG', field: 'remoteEnvironment' });
  });

  it("'default' and no option build the same script; 'login' adds the capture before stdin is read", () => {
    const plain = buildRemoteScript({ command: 'a', args: [], stdinEnvNames: ['K'] });
    expect(buildRemoteScript({ command: 'a', args: [], stdinEnvNames: ['K'], remoteEnvironment: 'default' })).toBe(plain);
    const login = buildRemoteScript({ command: 'a', args: [], stdinEnvNames: ['K'], remoteEnvironment: 'login' });
    expect(login.indexOf('-l -c')).toBeGreaterThan(-1);
    expect(login.indexOf('-l -c')).toBeLessThan(login.indexOf('IFS= read'));
    expect(login).toContain('( sleep 10;');
    // 'login' takes the login PATH as it is unless remotePath says otherwise.
    expect(login).not.toContain('.local/bin');
  });
});

describe.each(OUTER)('the script under %s', (...outer) => {
  it('loads the login environment byte-exact; sshwrap env, secrets and remotePath win; no login noise', async () => {
    const home = makeHome(`exact-${outer.join('-')}`, { '.profile': POSIX_PROFILE });
    const wrapped = script('login', { env: { MINE: 'mine $x' }, secretEnv: { SECRET: 'sec\nret' }, remotePath: ['/sw-first'] });
    const run = await runScript(outer, wrapped.args.at(-1)!, { HOME: home, SHELL: '/bin/dash' }, wrapped.stdin);
    expect(run.stdout).toBe(`args:[a b][it's][]|var:${TRICKY}|mine:mine $x|secret:sec\nret`);
    expect(markers(run.stderr)).toEqual(['pid', 'started', 'exit']);
    expect(withoutMarkers(run.stderr)).toBe('');
    expect(run.code).toBe(0);
    // Nothing of the capture outlives the run: no login shell, no watchdog, no watchdog sleep.
    expect(liveGroupMembers(run.pgid)).toEqual([]);
  });

  it('without the option the profile is not read: the agent is not found', async () => {
    const home = makeHome(`default-${outer.join('-')}`, { '.profile': POSIX_PROFILE });
    const run = await runScript(outer, script('default').args.at(-1)!, { HOME: home, SHELL: '/bin/dash' });
    expect(markers(run.stderr)).toEqual(['pid', 'not-found']);
    expect(run.code).toBe(127);
  });

  it('a profile that blocks is killed within the bound, with everything it started, and reported as login-timeout', async () => {
    const home = makeHome(`block-${outer.join('-')}`, { '.profile': 'read x; echo waiting; sleep 600\n' });
    const run = await runScript(outer, script({ mode: 'login', timeoutSeconds: 1 }).args.at(-1)!, { HOME: home, SHELL: '/bin/dash' }, 'ssh stdin stays open\n');
    expect(run.ms).toBeLessThan(3_000);
    expect(run.ms).toBeGreaterThanOrEqual(1_000);
    expect(markers(run.stderr)).toEqual(['pid', 'login-timeout']);
    expect(withoutMarkers(run.stderr)).toMatch(/^sshwrap: the login shell \/bin\/dash did not finish within 1 s/);
    expect(run.stdout).toBe('');
    expect(run.code).toBe(1);
    // The profile's `sleep 600` went with the login shell: nothing of the group is left.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(liveGroupMembers(run.pgid)).toEqual([]);
  });

  it('a profile that exits before the command is reported as login-failed at once', async () => {
    const home = makeHome(`exit-${outer.join('-')}`, { '.profile': 'exit 3\n' });
    const run = await runScript(outer, script('login').args.at(-1)!, { HOME: home, SHELL: '/bin/dash' });
    expect(run.ms).toBeLessThan(2_000);
    expect(markers(run.stderr)).toEqual(['pid', 'login-failed']);
    expect(withoutMarkers(run.stderr)).toContain('exited with status 3');
    expect(run.code).toBe(1);
  });
});

describe('the private directory', () => {
  it('is made under /tmp when TMPDIR holds a character fish or tcsh would split on, and removed', async () => {
    const home = makeHome('tmpdir', { '.profile': POSIX_PROFILE });
    const tmp = path.join(root, 'tmp with space');
    fs.mkdirSync(tmp);
    const wrapped = script('login');
    const child = spawn('dash', ['-c', wrapped.args.at(-1)!], { env: { HOME: home, SHELL: '/bin/dash', PATH: '/usr/bin:/bin', TMPDIR: tmp } });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
    expect(stdout).toBe(`args:[a b][it's][]|var:${TRICKY}|mine:from-profile|secret:from-profile`);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });
});

// Each login shell reads its own login file; the script runs under dash like Debian's /bin/sh.
const LOGIN_SHELLS: [string, () => string | undefined, Record<string, string>][] = [
  ['bash', () => '/bin/bash', { '.bash_profile': POSIX_PROFILE }],
  ['dash', () => '/bin/dash', { '.profile': POSIX_PROFILE }],
  ['mksh', () => (has('mksh') ? '/bin/mksh' : undefined), { '.profile': POSIX_PROFILE }],
  ['ash', () => ashLink, { '.profile': POSIX_PROFILE }],
  ['zsh', () => (has('zsh') ? spawnSync('sh', ['-c', 'command -v zsh']).stdout.toString().trim() : undefined), { '.zprofile': POSIX_PROFILE }],
  [
    'fish',
    () => (has('fish') ? spawnSync('sh', ['-c', 'command -v fish']).stdout.toString().trim() : undefined),
    { '.config/fish/config.fish': 'set -g fish_greeting ""\nif status is-login\n  echo fish-noise\n  set -gx LOGIN_VAR "fish it\'s"\n  set -gx PATH $HOME/login-bin $PATH\nend\n' },
  ],
  ['tcsh', () => (has('tcsh') ? spawnSync('sh', ['-c', 'command -v tcsh']).stdout.toString().trim() : undefined), { '.login': 'echo tcsh-noise\nsetenv LOGIN_VAR "tcsh it\'s"\nsetenv PATH "${HOME}/login-bin:${PATH}"\n' }],
];

describe.each(LOGIN_SHELLS)('login shell %s', (name, shellPath, files) => {
  it.skipIf(!shellPath())(`finds the agent and the variable from its login file`, async () => {
    const home = makeHome(`shell-${name}`, files);
    const run = await runScript(['dash'], script('login').args.at(-1)!, { HOME: home, SHELL: shellPath()! });
    const expected = name === 'fish' ? "fish it's" : name === 'tcsh' ? "tcsh it's" : TRICKY;
    expect(run.stdout).toBe(`args:[a b][it's][]|var:${expected}|mine:${name === 'fish' || name === 'tcsh' ? '' : 'from-profile'}|secret:${name === 'fish' || name === 'tcsh' ? '' : 'from-profile'}`);
    expect(withoutMarkers(run.stderr)).toBe('');
    expect(run.code).toBe(0);
  });
});
