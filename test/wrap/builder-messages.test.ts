import { describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { parseSshRemoteConfig } from '../../src/schemas/index.js';
import { buildRemoteScript, buildSshArgs } from '../../src/wrap/index.js';

const remote = parseSshRemoteConfig({ id: 'a', host: 'h' });

// Each refusal names the value in the field path AND in the sentence a person reads: a message
// that says "must not contain a NUL byte" without saying what is of no use in a log.
describe('builder refusals say which value and why', () => {
  it.each<[string, () => unknown, string, string, string]>([
    ['command', () => buildRemoteScript({ command: '-x', args: [] }), 'UNSAFE_ARGUMENT', 'command', 'command: command must not start with "-"'],
    ['args', () => buildRemoteScript({ command: 'x', args: ['a\0'] }), 'UNSAFE_ARGUMENT', 'args[0]', 'args[0]: args[] must not contain a NUL byte'],
    ['cwd', () => buildRemoteScript({ command: 'x', args: [], cwd: 'a\0' }), 'UNSAFE_ARGUMENT', 'cwd', 'cwd: cwd must not contain a NUL byte'],
    ['env', () => buildRemoteScript({ command: 'x', args: [], env: { 'A B': '1' } }), 'INVALID_CONFIG', 'env.A B', 'env.A B: env: variable names must match'],
    ['remotePath', () => buildRemoteScript({ command: 'x', args: [], remotePath: ['a\0'] }), 'UNSAFE_ARGUMENT', 'remotePath[0]', 'remotePath[0]: remotePath[] must not contain a NUL byte'],
    ['stdinEnvNames', () => buildRemoteScript({ command: 'x', args: [], stdinEnvNames: ['A B'] }), 'INVALID_CONFIG', 'stdinEnvNames[0]', 'stdinEnvNames[]: variable names must match'],
    ['statusMarker', () => buildRemoteScript({ command: 'x', args: [], statusMarker: 'a b' }), 'UNSAFE_ARGUMENT', 'statusMarker', 'statusMarker: statusMarker must match [A-Za-z0-9_-]+'],
    ['frameOutput', () => buildRemoteScript({ command: 'x', args: [], frameOutput: true }), 'INVALID_CONFIG', 'frameOutput', 'frameOutput: frameOutput needs a statusMarker token'],
    ['remoteCommand', () => buildSshArgs(remote, 'a\0'), 'UNSAFE_ARGUMENT', 'remoteCommand', 'Invalid ssh arguments: remoteCommand: remoteCommand must not contain a NUL byte'],
    ['managedOptions', () => buildSshArgs(remote, 'x', { managedOptions: { 'A B': 'x' } }), 'INVALID_CONFIG', 'managedOptions.A B', 'managedOptions: option names must match'],
    [
      'configFile',
      () => buildSshArgs(parseSshRemoteConfig({ id: 'a', host: 'h', useSshConfig: true }), 'x', { configFile: '-x' }),
      'UNSAFE_ARGUMENT',
      'configFile',
      'configFile: configFile must not start with "-"',
    ],
  ])('%s', (_name, build, code, field, message) => {
    let error: unknown;
    try {
      build();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SshWrapError);
    expect(error).toMatchObject({ code, field });
    expect((error as Error).message).toContain(message);
  });

  it('a framed script with its token is built: the frame line comes first, on stdout', () => {
    expect(buildRemoteScript({ command: 'x', args: [], statusMarker: 'tok', frameOutput: true }).split('\n')[0]).toBe("printf '\\n%s\\n' 'tok:stdout'");
    expect(buildRemoteScript({ command: 'x', args: [], statusMarker: 'tok' })).not.toContain(':stdout');
  });
});
