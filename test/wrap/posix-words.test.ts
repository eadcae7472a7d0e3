import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildRemoteCommand, remoteDirWord } from '../../src/wrap/index.js';
import { commandWords, exportStatement } from '../../src/wrap/remote-command.js';

describe('remoteDirWord: which tilde prefixes the remote shell may expand', () => {
  it.each([
    ['~a.b-c_1/x y', "~a.b-c_1'/x y'"],
    ['~_u', '~_u'],
    ['~1user/x', "'~1user/x'"],
    ['~.hidden', "'~.hidden'"],
    ['~user name', "'~user name'"],
    ['x/~', "'x/~'"],
    ['~//a', `"$HOME"//a`],
    ['--', './--'],
    ['a-', 'a-'],
    ['', "''"],
  ])('%j → %s', (dir, word) => {
    expect(remoteDirWord(dir)).toBe(word);
  });

  it('expands ~ and ~/x against $HOME under sh, even with spaces in $HOME', () => {
    const run = (dir: string) => spawnSync('/bin/sh', ['-c', `printf %s ${remoteDirWord(dir)}`], { encoding: 'utf8', env: { HOME: '/h o' } }).stdout;
    expect(run('~')).toBe('/h o');
    expect(run('~/x')).toBe('/h o/x');
    expect(run('~root')).toBe('/root');
    expect(run('~1x')).toBe('~1x');
  });
});

describe('exportStatement and commandWords', () => {
  it('quote every value and word for a POSIX shell', () => {
    expect(exportStatement(undefined)).toBeUndefined();
    expect(exportStatement({})).toBeUndefined();
    expect(exportStatement({ A: '1', B: 'x y', C: '' })).toBe("export A=1 B='x y' C=''");
    expect(commandWords('printf', ['%s\n', "it's"])).toBe("printf '%s\n' 'it'\\''s'");
    expect(commandWords('ls', [])).toBe('ls');
  });
});

describe('buildRemoteCommand', () => {
  it("has no cd for cwd '' or absent, and no export for an empty env", () => {
    expect(buildRemoteCommand({ command: 'x', args: ['a'], cwd: '', env: {} })).toBe('x a');
    expect(buildRemoteCommand({ command: 'x', args: [], cwd: '~', env: { A: '' } })).toBe(`cd "$HOME" && export A='' && x`);
  });
});
