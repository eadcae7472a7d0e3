import { describe, expect, it } from 'vitest';
import { loginEnvFlags, parseCommandLine, parseEnvFlags, parseTimeoutFlag, remoteAndCommand } from '../../src/cli/args.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { RUN_FLAGS } from '../../src/cli/run-plan.js';

describe('parseCommandLine', () => {
  it('splits at the first -- and keeps everything after it verbatim', () => {
    const parsed = parseCommandLine(['gpu', '--cwd', '/srv', '--env', 'A=1', '--env', 'B=2', '--', 'ls', '--cwd', '--', '-la'], RUN_FLAGS, 'exec');
    expect(parsed.values.cwd).toBe('/srv');
    expect(parsed.values.env).toEqual(['A=1', 'B=2']);
    expect(parsed.positionals).toEqual(['gpu']);
    expect(parsed.rest).toEqual(['ls', '--cwd', '--', '-la']);
  });

  it('reports no rest when there is no --', () => {
    expect(parseCommandLine(['gpu'], RUN_FLAGS, 'exec').rest).toBeUndefined();
    expect(parseCommandLine(['gpu', '--'], RUN_FLAGS, 'exec').rest).toEqual([]);
  });

  it('accepts --flag=value and -h', () => {
    const parsed = parseCommandLine(['--cwd=~/app', '-h'], RUN_FLAGS, 'exec');
    expect(parsed.values).toMatchObject({ cwd: '~/app', help: true });
  });

  it.each([
    [['--bogus'], "exec: unknown option '--bogus'"],
    [['--cwd'], "exec: option '--cwd <value>' argument missing"],
    [['--help=yes'], "exec: option '-h, --help' does not take an argument"],
  ])('turns %j into one short UsageError', (argv, message) => {
    const error = (() => {
      try {
        parseCommandLine(argv, RUN_FLAGS, 'exec');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(message);
    expect((error as UsageError).command).toBe('exec');
  });
});

describe('parseEnvFlags', () => {
  it('splits at the first = and lets a later flag win', () => {
    expect(parseEnvFlags(['A=1', 'B=x=y', 'EMPTY=', 'A=2'], 'exec')).toEqual({ A: '2', B: 'x=y', EMPTY: '' });
    expect(parseEnvFlags(undefined, 'exec')).toEqual({});
  });

  it.each(['NOEQUALS', '1A=x', 'A-B=x', '=x'])('refuses %j', (flag) => {
    expect(() => parseEnvFlags([flag], 'exec')).toThrow(UsageError);
  });
});

describe('parseTimeoutFlag', () => {
  it('reads seconds, decimals allowed', () => {
    expect(parseTimeoutFlag('2', 'exec')).toBe(2000);
    expect(parseTimeoutFlag('0.25', 'exec')).toBe(250);
    expect(parseTimeoutFlag(undefined, 'exec')).toBeUndefined();
  });

  it.each(['0', '-1', 'abc', '1e3', '', 'Infinity'])('refuses %j', (value) => {
    expect(() => parseTimeoutFlag(value, 'exec')).toThrow(UsageError);
  });
});

describe('loginEnvFlags', () => {
  it('maps --login-env and --login-timeout to remoteEnvironment; the timeout implies the login environment', () => {
    expect(loginEnvFlags(undefined, undefined, 'exec')).toBeUndefined();
    expect(loginEnvFlags(false, undefined, 'exec')).toBeUndefined();
    expect(loginEnvFlags(true, undefined, 'exec')).toBe('login');
    expect(loginEnvFlags(true, '30', 'exec')).toEqual({ mode: 'login', timeoutSeconds: 30 });
    expect(loginEnvFlags(undefined, '1', 'test')).toEqual({ mode: 'login', timeoutSeconds: 1 });
  });

  it('refuses anything but whole seconds in 1–3600 (the remote watchdog is POSIX sleep)', () => {
    for (const bad of ['0', '1.5', '3601', '-1', 'ten', '']) {
      expect(() => loginEnvFlags(true, bad, 'exec')).toThrow(UsageError);
    }
  });
});

describe('remoteAndCommand', () => {
  it('takes the remote before -- and the command after it', () => {
    expect(remoteAndCommand({ positionals: ['gpu'], rest: ['ls', '-la'] }, 'exec')).toEqual({ remote: 'gpu', command: 'ls', args: ['-la'] });
  });

  it.each([
    [{ positionals: [], rest: ['ls'] }, /missing <remote>/],
    [{ positionals: ['gpu'], rest: undefined }, /missing the remote command; put it after --/],
    [{ positionals: ['gpu'], rest: [] }, /missing the remote command/],
    [{ positionals: ['gpu', 'ls'], rest: undefined }, /unexpected "ls"; put the remote command after --, e.g. sshwrap exec gpu -- ls/],
  ])('explains what is missing for %j', (parsed, message) => {
    expect(() => remoteAndCommand(parsed, 'exec')).toThrow(message);
  });
});
