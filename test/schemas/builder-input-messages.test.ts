import { describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { parseAgentSshRemoteConfig, parseSshRemoteConfig, parseSshSpawnWrapConfig } from '../../src/schemas/index.js';
import { buildRemoteCommand, buildRemoteScript, buildSshArgs } from '../../src/wrap/index.js';

function message(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SshWrapError);
    return (error as SshWrapError).message;
  }
  throw new Error('expected a refusal');
}

const remote = parseSshRemoteConfig({ id: 'r', host: 'h', useSshConfig: true });

describe('builder input errors say which input and which rule', () => {
  it.each([
    [() => buildRemoteCommand({ command: '', args: [] }), 'Invalid remote command: command: command must not be empty'],
    [() => buildRemoteCommand({ command: 'x', args: ['\u0000'] }), 'Invalid remote command: args[0]: args[] must not contain a NUL byte'],
    [() => buildRemoteCommand({ command: 'x', args: [], cwd: '\u0000' }), 'Invalid remote command: cwd: cwd must not contain a NUL byte'],
    [() => buildRemoteCommand({ command: 'x', args: [], env: { A: '\u0000' } }), 'Invalid remote command: env.A: env value must not contain a NUL byte'],
    [() => buildRemoteCommand({ command: 'x', args: [], env: { 'A-B': '1' } }), 'Invalid remote command: env.A-B: env: variable names must match [A-Za-z_][A-Za-z0-9_]*'],
    [() => buildRemoteScript({ command: 'x', args: [], remotePath: ['\u0000'] }), 'Invalid remote script: remotePath[0]: remotePath[] must not contain a NUL byte'],
    [() => buildRemoteScript({ command: 'x', args: [], stdinEnvNames: ['A-B'] }), 'Invalid remote script: stdinEnvNames[0]: stdinEnvNames[]: variable names must match [A-Za-z_][A-Za-z0-9_]*'],
    [() => buildRemoteScript({ command: 'x', args: [], statusMarker: 'a b' }), 'Invalid remote script: statusMarker: statusMarker must match [A-Za-z0-9_-]+'],
    [() => buildSshArgs(remote, '\u0000'), 'Invalid ssh arguments: remoteCommand: remoteCommand must not contain a NUL byte'],
    [() => buildSshArgs(remote, 'x', { managedOptions: { A: '\n' } }), 'Invalid ssh arguments: managedOptions.A: managedOptions: values must not contain newlines or NUL'],
    [() => buildSshArgs(remote, 'x', { configFile: '/a\nb' }), 'Invalid ssh arguments: configFile: configFile must not contain newlines'],
    [() => parseSshSpawnWrapConfig({ command: 'x', cwd: '\u0000' }), 'Invalid spawn config: cwd: cwd must not contain a NUL byte'],
    [() => parseAgentSshRemoteConfig({ enabled: true, remoteId: 'r', workingDirOverride: '\u0000' }), 'Invalid agent SSH config: workingDirOverride: workingDirOverride must not contain a NUL byte'],
  ])('%#', (run, expected) => {
    expect(message(run)).toBe(expected);
  });
});
