import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as core from '../../src/core.js';
import * as main from '../../src/index.js';
import * as testing from '../../src/testing/index.js';

// The public surface, pinned (zx's test/export.test.js is the model): adding or removing a name
// here is a deliberate, reviewed act, and every refactor behind these names is not a breaking change.
const MAIN = [
  'AgentSshRemoteConfigSchema',
  'ConnectionPool',
  'DEFAULT_SSH_OPTIONS',
  'DetachedRunError',
  'HostFactsCache',
  'HostFactsSchema',
  'NoSuitableHostError',
  'RemoteFileError',
  'SSH_FAILURE_HINTS',
  'SSH_FAILURE_KINDS',
  'SshForwardError',
  'SshRemoteConfigSchema',
  'SshRemoteManager',
  'SshRunError',
  'SshSpawnWrapConfigSchema',
  'SshWrapError',
  'attachDetached',
  'cancelDetached',
  'classifySshFailure',
  'clearSshConfigCache',
  'closeAll',
  'createAskpass',
  'createMemoryStoreAdapter',
  'createOutputDeframer',
  'createSshRemoteStoreAdapter',
  'defaultConnectionPool',
  'describeEffectiveRemote',
  'detachedStatus',
  'downloadFile',
  'forwardPort',
  'forwardSocketToRemote',
  'groomContext',
  'isSecretEnvName',
  'listAgents',
  'listDetached',
  'listSshConfigHosts',
  'nodeExecutor',
  'parseAgentSshRemoteConfig',
  'parseSshRemoteConfig',
  'parseSshSpawnWrapConfig',
  'passphraseAskpass',
  'pickHost',
  'probeHost',
  'pruneDetached',
  'registerAgent',
  'remoteFs',
  'resolveSshConfigHost',
  'resolveSshRemote',
  'runOnMany',
  'runSucceeded',
  'runWithSsh',
  'spawnWithSsh',
  'startDetached',
  'testConnection',
  'toStorableRemote',
  'uploadFile',
  'wrapInteractiveShell',
  'wrapSpawnWithSsh',
];

const CORE = [
  'AUGMENTED_PATH_DIRS',
  'AgentSshRemoteConfigSchema',
  'COMMAND_EXECUTING_OPTIONS',
  'DEFAULT_PROMPT_STDIN_THRESHOLD',
  'DEFAULT_SSH_OPTIONS',
  'HOP_INHERITED_OPTIONS',
  'SSHWRAP_SSH_OPTIONS',
  'SshRemoteConfigSchema',
  'SshSpawnWrapConfigSchema',
  'SshWrapError',
  'anyShellCommand',
  'buildForwardSshArgs',
  'buildPowerShellScript',
  'buildRemoteCommand',
  'buildRemoteScript',
  'buildSshArgs',
  'defaultSshPath',
  'encodeForAnyShell',
  'encodePowerShellCommand',
  'encodeSecretLines',
  'isSecretEnvName',
  'mergeSshOptions',
  'parseAgentSshRemoteConfig',
  'parseEnvRecord',
  'parseSshRemoteConfig',
  'parseSshSpawnWrapConfig',
  'powerShellCommand',
  'quotePosix',
  'quotePowerShell',
  'quoteWindowsArg',
  'remotePathLines',
  'splitEnvForTransport',
  'sshDestination',
  'wrapForRemote',
  'wrapInteractiveShell',
];

const TESTING = ['startTestSshServer'];

describe('public API (source)', () => {
  it('the main entry exports exactly the documented names', () => {
    expect(Object.keys(main).sort()).toEqual(MAIN);
    // The first release's features stay within 40 names; later capabilities add their own
    // documented names on top (output framing: createOutputDeframer; detached runs: seven;
    // fleets: six; forwarding and terminal tabs: four; files: four).
    const LATER = [
      'createOutputDeframer',
      'startDetached',
      'attachDetached',
      'detachedStatus',
      'listDetached',
      'cancelDetached',
      'pruneDetached',
      'DetachedRunError',
      'probeHost',
      'pickHost',
      'runOnMany',
      'HostFactsCache',
      'HostFactsSchema',
      'NoSuitableHostError',
      'forwardPort',
      'forwardSocketToRemote',
      'SshForwardError',
      'wrapInteractiveShell',
      'uploadFile',
      'downloadFile',
      'remoteFs',
      'RemoteFileError',
    ];
    expect(MAIN.filter((name) => !LATER.includes(name)).length).toBeLessThanOrEqual(40);
  });

  it('sshwrap/core exports exactly the pure building blocks', () => {
    expect(Object.keys(core).sort()).toEqual(CORE);
  });

  it('sshwrap/testing exports only the test server', () => {
    expect(Object.keys(testing).sort()).toEqual(TESTING);
  });

  it('every main export is in the README API table', () => {
    const readme = readFileSync('README.md', 'utf8');
    const api = readme.slice(readme.indexOf('## API'));
    for (const name of MAIN) expect(api, name).toContain(`\`${name}`);
  });

  it('no internal building block leaks into the main entry', () => {
    for (const name of ['Semaphore', 'markerLine', 'utf8Length', 'randomMarkerToken', 'acquireForAgent', 'retryOnFreshMaster', 'controlPathTemplate', 'writeStdin', 'StatusMarkerParser']) {
      expect(main, name).not.toHaveProperty(name);
      expect(core, name).not.toHaveProperty(name);
    }
  });
});

const built = ['index', 'core', 'testing'].every((entry) => existsSync(`dist/${entry}.js`) && existsSync(`dist/${entry}.cjs`));
if (!built && process.env.CI) throw new Error('dist/ is missing: CI must run `npm run build` before `npm test`');
if (!built) process.stderr.write('\n!! test/package/exports.test.ts: published entry points not checked, run `npm run build` first\n');

// Paths in variables so the typecheck does not depend on a (possibly stale) dist/.
const ENTRIES: Array<[string, string, string[]]> = [
  ['sshwrap', '../../dist/index', MAIN],
  ['sshwrap/core', '../../dist/core', CORE],
  ['sshwrap/testing', '../../dist/testing', TESTING],
];

describe.skipIf(!built)('published entry points', () => {
  it.each(ENTRIES)('%s: ESM import and CJS require expose exactly the pinned names', async (_name, base, names) => {
    const esm = (await import(`${base}.js`)) as Record<string, unknown>;
    const cjs = createRequire(import.meta.url)(`${base}.cjs`) as Record<string, unknown>;
    expect(Object.keys(esm).sort()).toEqual(names);
    expect(Object.keys(cjs).sort()).toEqual(names);
  });

  it('SshWrapError from one build or entry is instanceof in the others', async () => {
    const esm = (await import('../../dist/index.js' as string)) as typeof main;
    const cjs = createRequire(import.meta.url)('../../dist/index.cjs') as typeof main;
    const coreCjs = createRequire(import.meta.url)('../../dist/core.cjs') as typeof core;
    expect(new cjs.SshWrapError('INVALID_CONFIG', 'x')).toBeInstanceOf(esm.SshWrapError);
    expect(new esm.SshWrapError('INVALID_CONFIG', 'x')).toBeInstanceOf(cjs.SshWrapError);
    expect(new coreCjs.SshWrapError('INVALID_CONFIG', 'x')).toBeInstanceOf(esm.SshWrapError);
    expect(() => cjs.parseSshRemoteConfig({ id: 'x', host: '-oProxyCommand=x' })).toThrow(esm.SshWrapError);
  });

  it('the core bundle loads nothing that does I/O', () => {
    for (const file of ['dist/core.js', 'dist/core.cjs']) {
      const text = readFileSync(file, 'utf8');
      const chunks = [...text.matchAll(/from ["'](\.\/[^"']+)["']/g)].map((match) => readFileSync(`dist/${match[1]!.slice(2)}`, 'utf8'));
      for (const source of [text, ...chunks]) expect(source).not.toMatch(/node:(child_process|fs|os|net)|require\(["'](child_process|fs|os|net)["']/);
    }
  });
});
