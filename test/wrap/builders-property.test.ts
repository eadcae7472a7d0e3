import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { buildRemoteCommand, buildRemoteScript, anyShellCommand, encodeSecretLines, buildPowerShellScript, powerShellCommand, buildSshArgs, remoteDirWord } from '../../src/wrap/index.js';
import { commandWords, exportStatement } from '../../src/wrap/remote-command.js';
import type { SshRemoteConfig } from '../../src/schemas/index.js';

// Every builder gets hostile input and must either refuse it with an SshWrapError or emit text
// that /bin/sh really runs as exactly the intended command: a recorder script that writes its
// argv, physical cwd and environment to files. A canary file that every injection fragment tries
// to create must never appear.

const ROOT = realpathSync(mkdtempSync(join(tmpdir(), 'sshwrap-builders-')));
const CANARY = join(ROOT, 'pwned');
const WORK = join(ROOT, 'work');
const HOME = join(ROOT, 'home');
const BIN = join(ROOT, 'bin');
const OUT = join(ROOT, 'out');
const RECORDER = join(ROOT, 'rec');

writeFileSync(
  RECORDER,
  `#!/bin/sh\npwd -P > ${OUT}/pwd\n{ [ $# -eq 0 ] || printf '%s\\0' "$@"; } > ${OUT}/args\n/usr/bin/env -0 > ${OUT}/env\n`,
);
chmodSync(RECORDER, 0o755);
mkdirSync(BIN);
// The only program on PATH: stands in for Windows' powershell and records its argv the same way.
writeFileSync(join(BIN, 'powershell'), `#!/bin/sh\n{ [ $# -eq 0 ] || printf '%s\\0' "$@"; } > ${OUT}/args\n`);
chmodSync(join(BIN, 'powershell'), 0o755);
// The injections call plain `touch`, so it must be found on the sandbox PATH.
symlinkSync(execFileSync('/bin/sh', ['-c', 'command -v touch'], { encoding: 'utf8' }).trim(), join(BIN, 'touch'));

afterAll(() => {
  rmSync(ROOT, { recursive: true, force: true });
  // eslint-disable-next-line no-console
  console.log(`hostile inputs per builder (refused / run):\n${[...COUNTS].map(([name, c]) => `  ${name}: ${c.refused + c.ran} (${c.refused} / ${c.ran})`).join('\n')}`);
});

const COUNTS = new Map<string, { refused: number; ran: number }>();
function count(builder: string, outcome: 'refused' | 'ran'): void {
  const entry = COUNTS.get(builder) ?? { refused: 0, ran: 0 };
  entry[outcome]++;
  COUNTS.set(builder, entry);
}

const INJECTIONS = [
  `$(touch ${CANARY})`,
  `\`touch ${CANARY}\``,
  `;touch ${CANARY};`,
  `\ntouch ${CANARY}\n`,
  `&&touch ${CANARY}&&`,
  `|touch ${CANARY}|`,
  `'; touch ${CANARY}; '`,
  `"; touch ${CANARY}; "`,
  `'\\''$(touch ${CANARY})`,
];
const METACHARACTERS = ["'", '\\', '!', '%', '$', '`', '"', '\n', '\r', '\t', ' ', ';', '&', '|', '~', '-', '--', '*', '?', '[a]', '#', '{', '}', '(', ')', '<', '>', '=', '%s', '%b', '\\0', '\\n', '\\047', '$HOME', '${IFS}', '!!', 'é', '中文', '😀', '\u00a0', '\u2018', '\u0085', '\ud800', '\udfff'];

const piece = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...METACHARACTERS) },
  { weight: 2, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 3 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 2, unit: 'binary' }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)) },
);
/** A string biased to shell metacharacters; one in ten carries a NUL byte. */
const hostile = fc.oneof(
  { weight: 9, arbitrary: fc.array(piece, { maxLength: 6 }).map((pieces) => pieces.join('')) },
  { weight: 1, arbitrary: fc.array(piece, { maxLength: 3 }).map((pieces) => `${pieces.join('')}\u0000`) },
);
// Variables the shell itself sets or rewrites, so what the recorder sees is not what was exported.
const SHELL_MANAGED = new Set(['PWD', 'OLDPWD', 'SHLVL', '_', 'IFS', 'PPID', 'OPTIND', 'PS1', 'PS2', 'PS4', 'LINENO', '__proto__']);
const envNames = fc
  .oneof({ weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/) }, { weight: 1, arbitrary: fc.constantFrom('PATH', 'HOME', 'ENV', 'CDPATH') }, { weight: 1, arbitrary: hostile })
  .filter((name) => !SHELL_MANAGED.has(name));
const env = fc.dictionary(envNames, hostile, { maxKeys: 4 });
const args = fc.array(hostile, { maxLength: 5 });
// A hostile command name never names a real program or builtin (it has a character outside
// [A-Za-z0-9_./:+@%,=-]), so "not found" is the only outcome it may have.
const hostileCommand = hostile.filter((command) => /[^A-Za-z0-9_./:+@%,=-]/.test(command));
const command = fc.oneof({ weight: 3, arbitrary: fc.constant(RECORDER) }, { weight: 1, arbitrary: hostileCommand });

/** Where `cd <remoteDirWord(cwd)>` lands (`undefined`: outside the sandbox or `~user`, not run). */
function cwdTarget(cwd: string): string | undefined {
  if (cwd === '') return WORK;
  if (/^~[A-Za-z_]/.test(cwd) || cwd.split('/').includes('..')) return undefined;
  const target = /^~(\/|$)/.test(cwd) ? join(HOME, cwd.slice(1)) : isAbsolute(cwd) ? cwd : resolve(WORK, cwd);
  const inside = (base: string) => !relative(base, target).startsWith('..');
  return inside(WORK) || inside(HOME) ? target : undefined;
}
const cwd = fc
  .oneof({ weight: 3, arbitrary: hostile }, { weight: 1, arbitrary: hostile.map((dir) => `${WORK}/${dir}`) }, { weight: 1, arbitrary: hostile.map((dir) => `~/${dir}`) }, { weight: 1, arbitrary: fc.constantFrom('', '~', '-x', '--') })
  .filter((dir) => dir.includes('\u0000') || cwdTarget(dir) !== undefined);

/** What the kernel makes of a JS string in an argv or a path: lone surrogates become U+FFFD. */
const asBytes = (value: string) => Buffer.from(value, 'utf8');
const wellFormed = (value: string) => asBytes(value).toString('utf8');

function freshSandbox(): void {
  rmSync(CANARY, { force: true });
  for (const dir of [WORK, HOME, OUT]) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
  }
}

/** Runs `text` with `/bin/sh -c` in the sandbox; returns what the recorder saw, if it ran. */
function runSh(text: string, stdin = ''): { status: number | null; args?: string[]; pwd?: string; env?: Map<string, string> } {
  const run = spawnSync('/bin/sh', ['-c', text], { cwd: WORK, env: { HOME, PATH: BIN }, input: stdin, timeout: 10_000 });
  expect(run.error).toBeUndefined();
  expect(existsSync(CANARY)).toBe(false);
  if (!existsSync(join(OUT, 'args'))) return { status: run.status };
  const split = (file: string) => readFileSync(join(OUT, file), 'utf8').split('\0').slice(0, -1);
  const recorded: { status: number | null; args: string[]; pwd?: string; env?: Map<string, string> } = { status: run.status, args: split('args') };
  if (existsSync(join(OUT, 'pwd'))) recorded.pwd = readFileSync(join(OUT, 'pwd'), 'utf8').replace(/\n$/, '');
  if (existsSync(join(OUT, 'env'))) recorded.env = new Map(split('env').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  return recorded;
}

/** Builds, or records a refusal (which must be an SshWrapError naming a field). */
function attempt<T>(builder: string, build: () => T): T | undefined {
  try {
    const built = build();
    count(builder, 'ran');
    return built;
  } catch (error) {
    if (!(error instanceof SshWrapError)) throw error;
    expect(['INVALID_CONFIG', 'UNSAFE_ARGUMENT']).toContain(error.code);
    expect(error.field).toBeTruthy();
    count(builder, 'refused');
    return undefined;
  }
}

function prepareCwd(dir: string | undefined): string {
  const target = dir === undefined ? WORK : cwdTarget(dir)!;
  mkdirSync(asBytes(target).toString('utf8'), { recursive: true });
  return realpathSync(target);
}

function expectIntended(
  recorded: ReturnType<typeof runSh>,
  intended: { command: string; args: readonly string[]; cwd?: string; env?: Record<string, string> },
  expectedPwd: string,
): void {
  if (intended.command !== RECORDER) {
    // Quoted as one word, a hostile name is looked up as-is and is not found.
    expect(recorded.args).toBeUndefined();
    expect(recorded.status).not.toBe(0);
    return;
  }
  expect(recorded.status).toBe(0);
  expect(recorded.args).toEqual(intended.args.map(wellFormed));
  expect(recorded.pwd).toBe(wellFormed(expectedPwd));
  for (const [name, value] of Object.entries(intended.env ?? {})) expect(recorded.env?.get(name), name).toBe(wellFormed(value));
}

const RUNS = 200;

// Each run spawns /bin/sh (and the recorder): seconds per property, more on a busy machine.
describe('builders refuse hostile input or run exactly the intended command under /bin/sh', { timeout: 120_000 }, () => {
  it('buildRemoteCommand', () => {
    fc.assert(
      fc.property(command, args, cwd, env, (cmd, argv, dir, vars) => {
        freshSandbox();
        const spec = { command: cmd, args: argv, cwd: dir, env: vars };
        const text = attempt('buildRemoteCommand', () => buildRemoteCommand(spec));
        if (text === undefined) return;
        const pwd = prepareCwd(dir);
        expectIntended(runSh(text), spec, pwd);
      }),
      { numRuns: RUNS },
    );
  });

  for (const transport of ['buildRemoteScript', 'anyShellCommand(buildRemoteScript)'] as const) {
    it(transport, () => {
      const marker = fc.option(fc.oneof({ weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/) }, { weight: 1, arbitrary: hostile }), { nil: undefined });
      const remotePath = fc.oneof(fc.constantFrom('inherit' as const, 'augment' as const), fc.array(hostile, { maxLength: 2 }));
      // Values read from stdin are set before PATH and `cd` (as documented), so a PATH or HOME
      // among them changes what those lines do; that is the order, not an injection.
      const secrets = fc.dictionary(envNames.filter((name) => name !== 'PATH' && name !== 'HOME'), hostile, { maxKeys: 3 });
      fc.assert(
        fc.property(command, args, cwd, env, secrets, marker, remotePath, fc.constantFrom('inherit' as const, 'null' as const), (cmd, argv, dir, vars, secretEnv, statusMarker, path, commandStdin) => {
          freshSandbox();
          const spec = { command: cmd, args: argv, cwd: dir, env: vars, stdinEnvNames: Object.keys(secretEnv), statusMarker, remotePath: path, commandStdin };
          const built = attempt(transport, () => {
            const stdin = encodeSecretLines(Object.values(secretEnv));
            const script = buildRemoteScript(spec);
            return { stdin, text: transport === 'buildRemoteScript' ? script : anyShellCommand(script) };
          });
          if (built === undefined) return;
          const pwd = prepareCwd(dir);
          expectIntended(runSh(built.text, built.stdin), { ...spec, env: { ...secretEnv, ...vars } }, pwd);
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('remoteDirWord, exportStatement, commandWords', () => {
    fc.assert(
      fc.property(cwd, env, command, args, (dir, vars, cmd, argv) => {
        freshSandbox();
        const word = attempt('remoteDirWord', () => remoteDirWord(dir));
        const exported = attempt('exportStatement', () => exportStatement(vars));
        const words = attempt('commandWords', () => commandWords(cmd, argv));
        if (word !== undefined) {
          const pwd = prepareCwd(dir);
          expectIntended(runSh(`cd ${word} && ${RECORDER}`), { command: RECORDER, args: [] }, pwd);
          freshSandbox();
        }
        if (exported !== undefined) {
          expectIntended(runSh(`${exported ?? ':'} && ${RECORDER}`), { command: RECORDER, args: [], env: vars }, realpathSync(WORK));
          freshSandbox();
        }
        if (words !== undefined) expectIntended(runSh(words), { command: cmd, args: argv }, realpathSync(WORK));
      }),
      { numRuns: RUNS },
    );
  });

  it('powerShellCommand and buildPowerShellScript (the command line sh would run)', () => {
    const decode = (base64: string) => Buffer.from(base64, 'base64').toString('utf16le');
    const check = (builder: string, script: string | undefined) => {
      if (script === undefined) return;
      const line = attempt(builder === 'buildPowerShellScript' ? 'powerShellCommand(buildPowerShellScript)' : builder, () => powerShellCommand(script));
      if (line === undefined) return;
      freshSandbox();
      const recorded = runSh(line);
      expect(recorded.status).toBe(0);
      expect(recorded.args!.slice(0, -1)).toEqual(['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand']);
      // UTF-16 code units round-trip exactly, lone surrogates included.
      expect(decode(recorded.args!.at(-1)!)).toBe(script);
    };
    fc.assert(
      fc.property(hostile, command, args, cwd, env, (script, cmd, argv, dir, vars) => {
        check('powerShellCommand', script);
        check('buildPowerShellScript', attempt('buildPowerShellScript', () => buildPowerShellScript({ command: cmd, args: argv, cwd: dir, env: vars })));
      }),
      { numRuns: RUNS },
    );
  });

  it('buildSshArgs (parsed back by ssh -G, which connects nowhere)', () => {
    const known = fc.constantFrom('ServerAliveInterval', 'Compression', 'ConnectionAttempts', 'HostKeyAlias', 'SendEnv', 'SetEnv', 'IdentityAgent');
    const optionName = fc.oneof({ weight: 3, arbitrary: known }, { weight: 1, arbitrary: hostile });
    const optionalText = fc.option(fc.oneof(hostile, fc.constant('')), { nil: undefined, freq: 2 });
    const remote = fc.record({
      id: fc.constant('r'),
      host: fc.oneof({ weight: 2, arbitrary: fc.constantFrom('gpu-server', '::1', 'box.example') }, { weight: 1, arbitrary: hostile }),
      username: optionalText,
      privateKeyPath: optionalText,
      knownHostsFile: optionalText,
      passphrase: optionalText,
      customOptions: fc.option(fc.dictionary(optionName, hostile, { maxKeys: 3 }), { nil: undefined }),
      jumpHosts: fc.option(fc.array(fc.oneof(fc.constant('bastion'), hostile), { maxLength: 2 }), { nil: undefined }),
      useSshConfig: fc.constant(false),
    });
    const options = fc.record({
      managedOptions: fc.option(fc.dictionary(optionName, hostile, { maxKeys: 2 }), { nil: undefined }),
      configFile: optionalText,
    });
    fc.assert(
      fc.property(remote, hostile, options, (input, remoteCommand, buildOptions) => {
        const built = attempt('buildSshArgs', () => buildSshArgs(input as unknown as SshRemoteConfig, remoteCommand, buildOptions));
        if (built === undefined) return;
        const destination = input.username ? `${input.username}@${input.host}` : input.host;
        expect(built.at(-1)).toBe(remoteCommand);
        expect(built.at(-2)).toBe(destination);
        expect(built.at(-3)).toBe('--');
        if (!input.privateKeyPath) expect(built).not.toContain('-i');
        // Before `--`, only sshwrap's own flags, each followed by its value.
        for (let index = 0; index < built.length - 3; index += 2) expect(['-F', '-o', '-p', '-i', '-J']).toContain(built[index]);
        const parsed = spawnSync('ssh', ['-G', ...built], { encoding: 'utf8', env: { HOME, PATH: '/usr/bin:/bin' }, timeout: 10_000 });
        expect(existsSync(CANARY)).toBe(false);
        if (parsed.status !== 0) {
          // ssh refused a value (e.g. a non-numeric ServerAliveInterval): it says so and runs nothing.
          expect(parsed.stderr).not.toBe('');
          return;
        }
        const settings = new Map(parsed.stdout.split('\n').map((line) => [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)]));
        if (input.username) expect(settings.get('user')).toBe(wellFormed(input.username));
        for (const name of ['localcommand', 'knownhostscommand', 'remotecommand']) expect(settings.get(name) ?? 'none', name).toBe('none');
        // The only command ssh may run locally is the ProxyCommand sshwrap built for jumpHosts (test/wrap/proxy-jump.test.ts).
        const proxyCommand = built.find((arg) => arg.startsWith('ProxyCommand='))?.slice('ProxyCommand='.length);
        expect(proxyCommand === undefined).toBe(!input.jumpHosts?.length);
        expect(settings.get('proxycommand') ?? 'none').toBe(proxyCommand ?? 'none');
        expect(settings.get('permitlocalcommand')).toBe('no');
      }),
      { numRuns: RUNS * 2 },
    );
  });
});

describe('the canary and recorder catch what they should (the property above can fail)', () => {
  it('an unquoted injection creates the canary', () => {
    freshSandbox();
    spawnSync('/bin/sh', ['-c', `echo ${INJECTIONS[0]}`], { cwd: WORK, env: { HOME, PATH: BIN } });
    expect(existsSync(CANARY)).toBe(true);
    rmSync(CANARY);
  });

  it('the recorder reports argv, cwd and env', () => {
    freshSandbox();
    execFileSync('/bin/sh', ['-c', `cd / && X='a b' ${RECORDER} 'x y' ''`], { env: { HOME, PATH: BIN } });
    const recorded = runSh(`cd / && export X='a b' && ${RECORDER} 'x y' ''`);
    expect(recorded).toMatchObject({ status: 0, args: ['x y', ''], pwd: '/' });
    expect(recorded.env?.get('X')).toBe('a b');
  });
});
