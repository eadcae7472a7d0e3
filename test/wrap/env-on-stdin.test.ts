import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { wrapSpawnWithSsh } from '../../src/exec/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { parseSshRemoteConfig, parseSshSpawnWrapConfig } from '../../src/schemas/index.js';
import { isSecretEnvName, splitEnvForTransport, wrapForRemote, type SshSpawnWrapResult } from '../../src/wrap/index.js';

const SECRET = 'sk-SECRET-4f9e';
const remote = { id: 'k', host: 'gpu', username: 'dev', remoteEnv: { HF_TOKEN: 'hf-remote-7c1a', REGION: 'eu-1' } };
const store = createMemoryStoreAdapter([remote, { id: 'win', host: 'w', remotePlatform: 'windows' }]);
const on = { enabled: true, remoteId: 'k' };
const config = { command: 'sh', args: ['-c', 'printf "%s|%s|%s|%s" "$ANTHROPIC_API_KEY" "$HF_TOKEN" "$NODE_ENV" "$REGION"'], cwd: '/', prompt: 'hi', customEnvVars: { ANTHROPIC_API_KEY: SECRET, NODE_ENV: 'production' } };

/** Runs the remote command the way a POSIX login shell would, here, with the wrap's stdin. */
function runRemotely(result: SshSpawnWrapResult): string {
  const run = spawnSync('sh', ['-c', result.args.at(-1)!], { input: result.stdin ?? '', encoding: 'utf8', cwd: '/' });
  expect(run.stderr).toBe('');
  return run.stdout;
}

describe('envOnStdin', () => {
  it("'secrets' (default): the reference example's API key is on no argv, yet reaches the command byte-exact", async () => {
    const wrapped = await wrapSpawnWithSsh(config, on, store);
    expect(wrapped.args.some((arg) => arg.includes(SECRET))).toBe(false);
    expect(wrapped.args.some((arg) => arg.includes('hf-remote-7c1a'))).toBe(false);
    // The non-secret values stay readable on the command line (quoted inside the encoded script).
    expect(wrapped.remoteCommand).toContain('NODE_ENV=production');
    expect(wrapped.remoteCommand).toContain("ANTHROPIC_API_KEY='<redacted>'");
    expect(wrapped.remoteCommand).toContain("HF_TOKEN='<redacted>'");
    expect(wrapped.remoteCommand).not.toContain(SECRET);
    expect(runRemotely(wrapped)).toBe(`${SECRET}|hf-remote-7c1a|production|eu-1`);
  });

  it('stdin carrying env values is never serialised or spread', async () => {
    const wrapped = await wrapSpawnWithSsh(config, on, store);
    expect(wrapped.stdin).toContain(SECRET.slice(0, 2));
    expect(JSON.stringify(wrapped)).not.toContain(SECRET);
    expect({ ...wrapped }).not.toHaveProperty('stdin');
  });

  it("'all': every value on stdin, none on the command line, the display redacts them all", async () => {
    const wrapped = await wrapSpawnWithSsh(config, on, store, { envOnStdin: 'all' });
    for (const value of [SECRET, 'production', 'eu-1', 'hf-remote-7c1a']) expect(wrapped.args.some((arg) => arg.includes(value)), value).toBe(false);
    expect(wrapped.remoteCommand).toContain("NODE_ENV='<redacted>'");
    expect(runRemotely(wrapped)).toBe(`${SECRET}|hf-remote-7c1a|production|eu-1`);
  });

  it("'none': the explicit opt-in puts the values on the command line, and the display shows what is there", async () => {
    const wrapped = await wrapSpawnWithSsh(config, on, store, { envOnStdin: 'none', shell: 'posix' });
    expect(wrapped.args.at(-1)).toContain(SECRET);
    expect(wrapped.remoteCommand).toContain(`ANTHROPIC_API_KEY=${SECRET}`);
    expect(wrapped.stdin).toBeUndefined();
    expect(runRemotely(wrapped)).toBe(`${SECRET}|hf-remote-7c1a|production|eu-1`);
  });

  it('secretEnv always travels on stdin, whatever envOnStdin says, and wins over customEnvVars', async () => {
    const wrapped = await wrapSpawnWithSsh(config, on, store, { envOnStdin: 'none', secretEnv: { NODE_ENV: 'from-secret' } });
    expect(wrapped.args.some((arg) => arg.includes('from-secret'))).toBe(false);
    expect(wrapped.remoteCommand).toContain("NODE_ENV='<redacted>'");
    expect(runRemotely(wrapped)).toBe(`${SECRET}|hf-remote-7c1a|from-secret|eu-1`);
  });

  it('a large prompt follows the env lines on stdin; the agent reads exactly the prompt', async () => {
    const prompt = `$(touch /tmp/sshwrap-never) '\\n ${'p'.repeat(5000)}`;
    const wrapped = await wrapSpawnWithSsh({ command: 'cat', args: [], cwd: '/', prompt, customEnvVars: { API_KEY: SECRET } }, on, store);
    expect(wrapped.prompt).toBeUndefined();
    expect(runRemotely(wrapped)).toBe(prompt);
  });

  it('an unknown mode is INVALID_CONFIG naming envOnStdin', async () => {
    await expect(wrapSpawnWithSsh(config, on, store, { envOnStdin: 'some' as never })).rejects.toMatchObject({ code: 'INVALID_CONFIG', field: 'envOnStdin' });
  });

  it('a Windows remote cannot read env on stdin: a typed error, unless the caller opts into the command line', async () => {
    const win = { enabled: true, remoteId: 'win' };
    await expect(wrapSpawnWithSsh(config, win, store)).rejects.toMatchObject({ code: 'INVALID_CONFIG', field: 'envOnStdin' });
    await expect(wrapSpawnWithSsh(config, win, store, { envOnStdin: 'none' })).resolves.toMatchObject({ command: 'ssh' });
  });

  it('the pure core applies the same rule', () => {
    const wrapped = wrapForRemote(parseSshSpawnWrapConfig(config), parseSshRemoteConfig(remote), undefined, { sshPath: 'ssh', localCwd: '/' });
    expect(wrapped.args.some((arg) => arg.includes(SECRET))).toBe(false);
    expect(runRemotely(wrapped)).toBe(`${SECRET}|hf-remote-7c1a|production|eu-1`);
  });
});

describe('isSecretEnvName: one rule for transport and display', () => {
  it.each([
    'ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'api_key', 'GITHUB_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'DB_PASSWORD', 'PGPASSWORD',
    'MYSQL_PWD_PASSWD', 'GPG_PASSPHRASE', 'GOOGLE_APPLICATION_CREDENTIALS', 'NEXTAUTH_URL_AUTH', 'BASIC_AUTH', 'SESSION_COOKIE', 'FLASK_SESSION',
    'SSH_PRIVATE_KEY_PATH', 'DATABASE_URL', 'database_url', 'SENTRY_DSN', 'DSN', 'REDIS_URL', 'MONGODB_URI', 'APP_DATABASE_URL', 'AZURE_CONNECTION_STRING', 'GH_PAT',
  ])('%s is secret', (name) => {
    expect(isSecretEnvName(name)).toBe(true);
    expect(splitEnvForTransport({ [name]: 'v' }).stdin).toEqual({ [name]: 'v' });
  });

  it.each(['NODE_ENV', 'PATH', 'HOME', 'LANG', 'REGION', 'CUDA_VISIBLE_DEVICES', 'DEBUG', 'PORT', 'HOSTNAME'])('%s is not', (name) => {
    expect(isSecretEnvName(name)).toBe(false);
    expect(splitEnvForTransport({ [name]: 'v' }).commandLine).toEqual({ [name]: 'v' });
  });
});

describe('unknown keys are errors, nothing is spawned', () => {
  it('a spawn config key the library does not implement (Maestro `images`) is refused, naming it', async () => {
    const error = await wrapSpawnWithSsh({ command: 'claude', args: [], cwd: '/p', images: ['a.png'] } as never, on, store).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SshWrapError);
    expect(error).toMatchObject({ code: 'INVALID_CONFIG', field: 'images' });
  });

  it('a near miss names the key that was meant', async () => {
    const error = (await wrapSpawnWithSsh({ command: 'claude', args: [], cwd: '/p', promptArg: () => [] } as never, on, store).catch((e: unknown) => e)) as SshWrapError;
    expect(error).toMatchObject({ code: 'INVALID_CONFIG', field: 'promptArg' });
    expect(error.message).toContain('did you mean promptArgs?');
  });

  it('options objects are checked too, with the closest key', async () => {
    const error = (await wrapSpawnWithSsh(config, on, store, { secretenv: {} } as never).catch((e: unknown) => e)) as SshWrapError;
    expect(error).toMatchObject({ code: 'INVALID_CONFIG', field: 'secretenv' });
    expect(error.message).toContain('did you mean secretEnv?');
    expect(() => wrapForRemote(parseSshSpawnWrapConfig(config), parseSshRemoteConfig(remote), undefined, { sshPath: 'ssh', localCwd: '/', multiplex: true } as never)).toThrow(/Unknown wrap options key "multiplex"/);
  });

  it('the pure core needs the local facts passed in', () => {
    expect(() => wrapForRemote(parseSshSpawnWrapConfig(config), parseSshRemoteConfig(remote), undefined, { localCwd: '/' } as never)).toThrow(SshWrapError);
  });

  it('stored remotes keep ignoring unknown keys: apps keep their own data there', () => {
    expect(parseSshRemoteConfig({ id: 'x', host: 'h', color: 'blue' })).not.toHaveProperty('color');
  });
});
