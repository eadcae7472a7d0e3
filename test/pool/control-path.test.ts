import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSshRemoteConfig, type SshRemoteConfig } from '../../src/schemas/index.js';
import { connectionFingerprint, controlDirFits, controlPathTemplate, MAX_SOCKET_PATH_BYTES, worstCaseSocketBytes } from '../../src/pool/control-path.js';
import { controlDirCandidates } from '../../src/pool/control-dir.js';

const token = fc.stringMatching(/^[a-z][a-z0-9._-]{0,15}$/);
const remoteArb = fc.record({
  host: token,
  port: fc.integer({ min: 1, max: 65535 }),
  username: fc.option(token, { nil: undefined }),
  privateKeyPath: fc.option(token.map((name) => `/keys/${name}`), { nil: undefined }),
  useSshConfig: fc.boolean(),
  customOptions: fc.option(fc.dictionary(fc.stringMatching(/^[A-Z][a-zA-Z]{1,12}$/), fc.stringMatching(/^[a-z0-9/]{1,8}$/), { maxKeys: 3 }), {
    nil: undefined,
  }),
});
type RemoteFields = typeof remoteArb extends fc.Arbitrary<infer T> ? T : never;

function remote(fields: RemoteFields, extra: Partial<SshRemoteConfig> = {}): SshRemoteConfig {
  return parseSshRemoteConfig({ id: 'r', ...fields, ...extra });
}

/** One field changed to a value that differs from the original. */
const mutation = fc.constantFrom('host', 'port', 'username', 'privateKeyPath', 'useSshConfig', 'customOptions', 'sshConfigFile', 'sshPath');

function mutate(fields: RemoteFields, field: string): { fields: RemoteFields; context: { sshConfigFile?: string; sshPath?: string } } {
  const next = { ...fields };
  switch (field) {
    case 'host': next.host = `${fields.host}x`; break;
    case 'port': next.port = fields.port === 22 ? 2222 : 22; break;
    case 'username': next.username = fields.username === undefined ? 'u' : undefined; break;
    case 'privateKeyPath': next.privateKeyPath = fields.privateKeyPath === undefined ? '/k' : undefined; break;
    case 'useSshConfig': next.useSshConfig = !fields.useSshConfig; break;
    case 'customOptions': next.customOptions = { ...fields.customOptions, ServerAliveInterval: `${fields.customOptions?.ServerAliveInterval ?? ''}9` }; break;
    case 'sshConfigFile': return { fields: next, context: { sshConfigFile: '/etc/other_config' } };
    case 'sshPath': return { fields: next, context: { sshPath: '/opt/ssh/bin/ssh' } };
  }
  return { fields: next, context: {} };
}

describe('connectionFingerprint', () => {
  it('differs when any connection field differs', () => {
    fc.assert(
      fc.property(remoteArb, mutation, (fields, field) => {
        const changed = mutate(fields, field);
        expect(connectionFingerprint(remote(changed.fields), changed.context)).not.toBe(connectionFingerprint(remote(fields)));
      }),
      { numRuns: 500 },
    );
  });

  it('is the same for the same connection, whatever the id, name, env, passphrase or option-name case', () => {
    fc.assert(
      fc.property(remoteArb, token, (fields, label) => {
        const upper = fields.customOptions && Object.fromEntries(Object.entries(fields.customOptions).map(([name, value]) => [name.toUpperCase(), value]));
        const twin = remote({ ...fields, customOptions: upper }, { id: label, name: label, remoteEnv: { A: label }, passphrase: label, enabled: false });
        expect(connectionFingerprint(twin)).toBe(connectionFingerprint(remote(fields)));
      }),
      { numRuns: 300 },
    );
  });

  it('differs with the jump hosts (%C cannot see a ProxyCommand), and is unchanged for remotes without any', () => {
    const base = remote({ host: 'gpu', port: 22, username: 'dev', privateKeyPath: undefined, useSshConfig: false, customOptions: undefined });
    const viaA = remote({ host: 'gpu', port: 22, username: 'dev', privateKeyPath: undefined, useSshConfig: false, customOptions: undefined }, { jumpHosts: ['a'] });
    const viaB = remote({ host: 'gpu', port: 22, username: 'dev', privateKeyPath: undefined, useSshConfig: false, customOptions: undefined }, { jumpHosts: [{ host: 'a', port: 2222 }] });
    const none = remote({ host: 'gpu', port: 22, username: 'dev', privateKeyPath: undefined, useSshConfig: false, customOptions: undefined }, { jumpHosts: [] });
    expect(new Set([base, viaA, viaB].map((r) => connectionFingerprint(r))).size).toBe(3);
    expect(connectionFingerprint(none)).toBe(connectionFingerprint(base));
  });

  it('differs with the host-key settings: a stricter or differently trusting remote never rides another master', () => {
    const fields = { host: 'gpu', port: 22, username: 'dev', privateKeyPath: undefined, useSshConfig: false, customOptions: undefined };
    const variants = [
      remote(fields),
      remote(fields, { hostKeyPolicy: 'strict' }),
      remote(fields, { knownHostsFile: '/etc/app/known_hosts' }),
      remote(fields, { hostKeyPolicy: 'strict', knownHostsFile: '/etc/app/known_hosts' }),
      remote(fields, { hostKeyPolicy: 'strict', knownHostsFile: '/other/known_hosts' }),
    ];
    expect(new Set(variants.map((r) => connectionFingerprint(r))).size).toBe(variants.length);
  });

  it('does not depend on customOptions order', () => {
    const base = { host: 'h', port: 22, username: undefined, privateKeyPath: undefined, useSshConfig: false };
    const a = remote({ ...base, customOptions: { A: '1', B: '2' } });
    const b = remote({ ...base, customOptions: { B: '2', A: '1' } });
    expect(connectionFingerprint(a)).toBe(connectionFingerprint(b));
  });
});

describe('control paths', () => {
  it('are <dir>/%C-<fingerprint>-<slot>', () => {
    expect(controlPathTemplate('/tmp/sshwrap-501', '0123456789ab', 3)).toBe('/tmp/sshwrap-501/%C-0123456789ab-3');
  });

  it('fit macOS sun_path for every uid in /tmp, including ssh\'s temporary bind name', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (uid) => {
        const [dir] = controlDirCandidates({ env: {}, uid });
        expect(dir).toBe(`/tmp/sshwrap-${uid}`);
        expect(worstCaseSocketBytes(dir!)).toBeLessThanOrEqual(MAX_SOCKET_PATH_BYTES);
        expect(controlDirFits(dir!)).toBe(true);
      }),
    );
  });

  it('rejects directories too long for a socket (the pool then falls back to /tmp)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), (length) => {
        const dir = `/${'d'.repeat(length)}`;
        expect(controlDirFits(dir)).toBe(worstCaseSocketBytes(dir) <= MAX_SOCKET_PATH_BYTES);
      }),
    );
    expect(controlDirFits(`/var/folders/zz/zyxvpxvq6csfxvn_n0000000000000/T/sshwrap`)).toBe(false);
  });

  it('prefers $XDG_RUNTIME_DIR/sshwrap, then /tmp/sshwrap-<uid>', () => {
    expect(controlDirCandidates({ env: { XDG_RUNTIME_DIR: '/run/user/1000' }, uid: 1000 })).toEqual(['/run/user/1000/sshwrap', '/tmp/sshwrap-1000']);
    expect(controlDirCandidates({ env: { XDG_RUNTIME_DIR: 'relative' }, uid: 7 })).toEqual(['/tmp/sshwrap-7']);
  });
});
