import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, inject, it } from 'vitest';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { wrapSpawnWithSsh, type WrapSpawnOptions } from '../../src/exec/index.js';
import type { SshSpawnWrapResult } from '../../src/wrap/index.js';
import { ALL_SHELLS, remoteFor, type TestbedInfo, type TestbedUser } from '../testbed/index.js';

const tb = inject('testbed');

interface Dump {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  stdin: string | null;
}

/** Spawns exactly what the wrap returned, feeds `stdin` and returns argdump's report. */
function spawnWrapped(result: SshSpawnWrapResult): Promise<{ code: number | null; dump: Dump | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(result.command, result.args, { cwd: result.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.stdin.on('error', () => undefined);
    child.stdin.end(result.stdin ?? '');
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      let dump: Dump | null = null;
      try {
        dump = JSON.parse(stdout) as Dump;
      } catch {
        dump = null;
      }
      resolve({ code, dump, stdout, stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

// Every byte a shell could trip on, across the quoting rules of all 7 shells.
const ADVERSARIAL = [
  '',
  ' ',
  "'",
  "''",
  '"',
  '\\',
  '\\\\',
  'trailing\\',
  '!',
  '!!',
  '!$',
  '$HOME',
  '${PATH}',
  '$(id)',
  '`id`',
  '%s%d%%',
  '\n',
  'a\nb\n',
  '\r\n',
  '\t',
  '*',
  '?',
  '[a]',
  '~',
  '~root',
  '{a,b}',
  '-n',
  '--',
  '-e',
  ';ls',
  '|cat',
  '&&',
  '#comment',
  '=',
  'A=B',
  'ünïcödé',
  '😀',
  '\u00a0',
  '\u001b[31mred\u001b[0m',
  '\u0001\u007f',
  "it's a \"mixed\" `bag` $of !things \\ here\n",
];

const wellFormed = (s: string) => Buffer.from(s, 'utf8').toString('utf8');
const safeText = fc.string({ unit: 'binary', maxLength: 30 }).map((s) => wellFormed(s.replace(/\u0000/g, '')));

describe.skipIf(!tb)('byte-exact round trip through real OpenSSH, every login shell', () => {
  const info = tb as TestbedInfo;

  async function wrapFor(user: TestbedUser, config: Parameters<typeof wrapSpawnWithSsh>[0], options: WrapSpawnOptions = {}, workingDirOverride?: string) {
    const remote = remoteFor(info, user);
    return wrapSpawnWithSsh(config, { enabled: true, remoteId: remote.id, ...(workingDirOverride ? { workingDirOverride } : {}) }, createMemoryStoreAdapter([remote]), options);
  }

  describe.concurrent.each(ALL_SHELLS)('%s', (shell) => {
    const user = () => info.users.find((u) => u.shell === shell)!;

    it('adversarial args, env values, cwd and an embedded prompt', async () => {
      const u = user();
      const cwd = join(u.home, "dir with 'q' \"d\" $x `y` !z ü\nnl");
      mkdirSync(cwd, { recursive: true });
      const env = Object.fromEntries(ADVERSARIAL.map((value, i) => [`V_${i}`, value]));
      const prompt = ADVERSARIAL.join('|');
      const result = await wrapFor(u, { command: info.argdump, args: ADVERSARIAL, cwd, prompt, customEnvVars: env });
      expect(result.prompt).toBeUndefined();
      const { code, dump, stderr } = await spawnWrapped(result);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(dump!.argv).toEqual([...ADVERSARIAL, '--', prompt].map(wellFormed));
      expect(dump!.cwd).toBe(cwd);
      for (const [name, value] of Object.entries(env)) expect(dump!.env[name], name).toBe(wellFormed(value));
    });

    // Intentional, for every run: shell: 'posix' hands the script to the login shell as POSIX sh,
    // which fish and tcsh are not (documented); the any-shell transport above covers them.
    it.skipIf(shell === 'fish' || shell === 'tcsh')("shell: 'posix' (the readable script) is byte-exact on POSIX login shells", async () => {
      const u = user();
      const env = Object.fromEntries(ADVERSARIAL.map((value, i) => [`V_${i}`, value]));
      const result = await wrapFor(u, { command: info.argdump, args: ADVERSARIAL, cwd: '/', prompt: ADVERSARIAL.join(''), customEnvVars: env }, { shell: 'posix' });
      const { dump, stderr } = await spawnWrapped(result);
      expect(stderr).toBe('');
      expect(dump!.argv).toEqual([...ADVERSARIAL, '--', ADVERSARIAL.join('')].map(wellFormed));
      for (const [name, value] of Object.entries(env)) expect(dump!.env[name], name).toBe(wellFormed(value));
    });

    it('~ and ~/ working directories expand against the remote $HOME', async () => {
      const u = user();
      mkdirSync(join(u.home, 'proj x'), { recursive: true });
      const tilde = await spawnWrapped(await wrapFor(u, { command: info.argdump, args: [], cwd: '/' }, {}, '~/proj x'));
      expect(tilde.dump!.cwd).toBe(join(u.home, 'proj x'));
      const home = await spawnWrapped(await wrapFor(u, { command: info.argdump, args: [], cwd: '~' }));
      expect(home.dump!.cwd).toBe(u.home);
    });

    it('a large adversarial prompt goes over stdin byte-exact, with secretEnv ahead of it and off every argv', async () => {
      const u = user();
      const prompt = `${ADVERSARIAL.join('\u0001')}\n`.repeat(2000); // ~170 KB, above any argv limit
      const result = await wrapFor(u, { command: info.argdump, args: ['--print'], cwd: '/', prompt, customEnvVars: { ARGDUMP_READ_STDIN: '1' } }, { secretEnv: { API_TOKEN: "sk-'$!\\\n" } });
      expect(result.prompt).toBeUndefined();
      expect(result.args.join('\0')).not.toContain('sk-');
      const { dump, stderr } = await spawnWrapped(result);
      expect(stderr).toBe('');
      expect(dump!.argv).toEqual(['--print']);
      expect(dump!.stdin).toBe(wellFormed(prompt));
      expect(dump!.env.API_TOKEN).toBe("sk-'$!\\\n");
    });

    it('property: generated args, env and prompt (fixed seed)', async () => {
      const u = user();
      await fc.assert(
        fc.asyncProperty(fc.array(safeText, { maxLength: 6 }), safeText, safeText, async (args, value, prompt) => {
          const result = await wrapFor(u, { command: info.argdump, args, cwd: '/', prompt, customEnvVars: { V: value } });
          const { dump } = await spawnWrapped(result);
          expect(dump!.argv).toEqual([...args, '--', prompt]);
          expect(dump!.env.V).toBe(value);
        }),
        { numRuns: 12, seed: 20261125 },
      );
    });
  });
});
