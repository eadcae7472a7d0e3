import { describe, expect, it } from 'vitest';
import { parseSshRemoteConfig } from '../../src/schemas/index.js';
import { buildSshArgs, COMMAND_EXECUTING_OPTIONS, mergeSshOptions } from '../../src/wrap/index.js';
import { assertSafeCustomOptions, BASE_SSH_OPTIONS } from '../../src/wrap/ssh-options.js';
import { refusal } from '../helpers/refusal.js';


const remote = (extra: object = {}) => parseSshRemoteConfig({ id: 'r', host: 'h', username: 'dev', ...extra });

function optionPairs(args: string[]): string[] {
  const pairs: string[] = [];
  for (let i = 0; i < args.length; i++) if (args[i] === '-o') pairs.push(args[++i]!);
  return pairs;
}

describe('customOptions that would switch host-key checking off', () => {
  it.each([
    ['StrictHostKeyChecking', 'no'],
    ['StrictHostKeyChecking', 'off'],
    ['StrictHostKeyChecking', 'false'],
    ['stricthostkeychecking', 'NO'],
    ['StrictHostKeyChecking', '"no"'],
    ['StrictHostKeyChecking', "'no'"],
    ['StrictHostKeyChecking', ' no '],
    ['StrictHostKeyChecking', 'no # trust everything'],
    ['StrictHostKeyChecking', 'no\t#comment'],
  ])('refuses %s=%j, naming the field and the safe alternative', (name, value) => {
    const error = refusal(() => assertSafeCustomOptions({ [name]: value }));
    expect(error.code).toBe('UNSAFE_ARGUMENT');
    expect(error.field).toBe(`customOptions.${name}`);
    expect(error.message).toBe(`customOptions.${name}=${value} turns host-key checking off; refused unless listed in allowUnsafeOptions`);
    expect(error.hint).toBe("Use hostKeyPolicy: 'accept-new' (trust on first use) or 'strict' with a knownHostsFile instead.");
  });

  it.each([
    ['UserKnownHostsFile', '/dev/null'],
    ['userknownhostsfile', '/DEV/NULL'],
    ['UserKnownHostsFile', '"/dev/null"'],
    ['UserKnownHostsFile', 'NUL'],
    ['UserKnownHostsFile', '/dev/null # gone'],
  ])('refuses %s=%j: every key would look new and be accepted', (name, value) => {
    const error = refusal(() => assertSafeCustomOptions({ [name]: value }));
    expect(error.code).toBe('UNSAFE_ARGUMENT');
    expect(error.field).toBe(`customOptions.${name}`);
    expect(error.message).toBe(`customOptions.${name}=${value} makes every host key look new (and accepted); refused unless listed in allowUnsafeOptions`);
  });

  it.each([
    ['StrictHostKeyChecking', 'yes'],
    ['StrictHostKeyChecking', 'accept-new'],
    ['StrictHostKeyChecking', 'ask'],
    ['StrictHostKeyChecking', 'nope'],
    ['StrictHostKeyChecking', 'xno'],
    ['StrictHostKeyChecking', 'no-thanks'],
    // A value that is all comment is no value to ssh; the rule cannot read it as "no".
    ['StrictHostKeyChecking', '#no'],
    ['UserKnownHostsFile', '/dev/null2'],
    ['UserKnownHostsFile', '/tmp/dev/null'],
    ['UserKnownHostsFile', 'nul.txt'],
    ['UserKnownHostsFile', '~/.ssh/known_hosts'],
    // The values are only dangerous for their own option.
    ['ConnectTimeout', 'no'],
    ['IdentityFile', '/dev/null'],
  ])('accepts %s=%j', (name, value) => {
    expect(() => assertSafeCustomOptions({ [name]: value })).not.toThrow();
  });

  it('allows a weakening option when listed by name, case-insensitively, and only that one', () => {
    expect(() => assertSafeCustomOptions({ StrictHostKeyChecking: 'no' }, ['stricthostkeychecking'])).not.toThrow();
    expect(() => assertSafeCustomOptions({ UserKnownHostsFile: '/dev/null' }, ['USERKNOWNHOSTSFILE'])).not.toThrow();
    expect(refusal(() => assertSafeCustomOptions({ StrictHostKeyChecking: 'no' }, ['UserKnownHostsFile'])).field).toBe('customOptions.StrictHostKeyChecking');
    const args = buildSshArgs(remote({ customOptions: { StrictHostKeyChecking: 'no' } }), 'x', { allowUnsafeOptions: ['StrictHostKeyChecking'] });
    expect(optionPairs(args)).toContain('StrictHostKeyChecking=no');
  });

  it('accepts no customOptions at all', () => {
    expect(() => assertSafeCustomOptions(undefined)).not.toThrow();
    expect(() => assertSafeCustomOptions({})).not.toThrow();
  });
});

describe('command-executing customOptions', () => {
  it('lists exactly the options that run a command or load code', () => {
    expect([...COMMAND_EXECUTING_OPTIONS]).toEqual([
      'ProxyCommand',
      'LocalCommand',
      'PermitLocalCommand',
      'KnownHostsCommand',
      'RemoteCommand',
      'PKCS11Provider',
      'SecurityKeyProvider',
      'Match',
      'Include',
    ]);
    expect(Object.isFrozen(COMMAND_EXECUTING_OPTIONS)).toBe(true);
  });

  it.each(COMMAND_EXECUTING_OPTIONS.flatMap((name) => [name, name.toLowerCase(), name.toUpperCase()]))('refuses %s unless allowed', (name) => {
    const error = refusal(() => assertSafeCustomOptions({ [name]: 'x' }));
    expect(error.code).toBe('UNSAFE_ARGUMENT');
    expect(error.field).toBe(`customOptions.${name}`);
    expect(error.message).toBe(`customOptions.${name} runs a command; refused unless listed in allowUnsafeOptions`);
    expect(error.hint).toBe(`Put ProxyCommand/LocalCommand in ~/.ssh/config (useSshConfig: true) or pass allowUnsafeOptions: ["${name}"] if this config is trusted.`);
    expect(() => assertSafeCustomOptions({ [name]: 'x' }, [name.toUpperCase()])).not.toThrow();
  });

  it('allowing one command option does not allow another', () => {
    expect(refusal(() => assertSafeCustomOptions({ ProxyCommand: 'x', LocalCommand: 'y' }, ['ProxyCommand'])).field).toBe('customOptions.LocalCommand');
  });

  it('does not refuse options whose name merely contains a listed one', () => {
    expect(() => assertSafeCustomOptions({ ProxyJump: 'bastion', ProxyUseFdpass: 'no', IncludeX: 'y' })).not.toThrow();
  });
});

describe('mergeSshOptions', () => {
  it('replaces a name in place whatever its case, keeping the later spelling and value', () => {
    expect(mergeSshOptions([{ BatchMode: 'yes', ConnectTimeout: '10' }, { CONNECTTIMEOUT: '30', batchmode: 'no' }, { Extra: '1' }])).toEqual([
      ['batchmode', 'no'],
      ['CONNECTTIMEOUT', '30'],
      ['Extra', '1'],
    ]);
    expect(mergeSshOptions([])).toEqual([]);
    expect(mergeSshOptions([undefined, {}])).toEqual([]);
  });

  it('keeps working past the name cache bound (many distinct names)', () => {
    const layer = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`Opt${i}`, String(i)]));
    const upper = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`OPT${i}`, `u${i}`]));
    const merged = mergeSshOptions([layer, upper]);
    expect(merged).toHaveLength(600);
    expect(merged[599]).toEqual(['OPT599', 'u599']);
    // Names first seen after the cache filled up are still compared case-insensitively.
    expect(mergeSshOptions([{ LateName: 'a' }, { latename: 'b' }])).toEqual([['latename', 'b']]);
  });

  it('BASE_SSH_OPTIONS is the defaults then sshwrap options, frozen', () => {
    expect(Object.entries(BASE_SSH_OPTIONS)).toEqual([
      ['BatchMode', 'yes'],
      ['StrictHostKeyChecking', 'accept-new'],
      ['ConnectTimeout', '10'],
      ['ClearAllForwardings', 'yes'],
      ['RequestTTY', 'no'],
      ['LogLevel', 'ERROR'],
      ['ForwardAgent', 'no'],
      ['ForwardX11', 'no'],
      ['ServerAliveInterval', '15'],
      ['ServerAliveCountMax', '3'],
    ]);
    expect(Object.isFrozen(BASE_SSH_OPTIONS)).toBe(true);
  });
});
