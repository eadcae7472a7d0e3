import { describe, expect, it } from 'vitest';
import { parseSshRemoteConfig } from '../../src/schemas/index.js';
import { isSecretEnvName, REDACTED, splitEnvForTransport } from '../../src/wrap/index.js';
import { DEFAULT_PROMPT_STDIN_THRESHOLD, promptFitsThreshold, promptWords } from '../../src/wrap/prompt.js';
import { redactEnv, redactValues, withoutSecrets } from '../../src/wrap/redact.js';

describe('isSecretEnvName', () => {
  it.each([
    'MY_KEY', 'KEYRING', 'a_token', 'SECRET', 'X_PASSWORD_FILE', 'PASSWD', 'PASSPHRASE', 'CREDENTIALS', 'AUTHOR', 'COOKIE_JAR', 'PHP_SESSION', 'PRIVATE',
    'DATABASE_URL', 'APP_DSN', 'DSN', 'X_DATABASE_URI', 'X_DB_URL', 'X_REDIS_URL', 'X_MONGO_URI', 'X_MONGODB_URL', 'X_AMQP_URL', 'X_POSTGRES_URL', 'X_MYSQL_URI',
    'REDIS_URI', 'MONGO_URL', 'MONGODB_URL', 'AMQP_URI', 'POSTGRES_URI', 'MYSQL_URL', 'CONNECTION_STRING', 'SQLCONNECTION_STRING', 'GITLAB_PAT', 'postgres_url',
  ])('%s names a secret', (name) => {
    expect(isSecretEnvName(name)).toBe(true);
  });

  it.each([
    // Each of these is one step away from a connection-string rule, and names no credential.
    'DATABASE_URL_FILE', 'XDATABASE_URL', 'DSNS', 'MY_DSN_HOST', 'DB_URL', 'REDIS_HOST', 'X_REDIS_PORT', 'X_DB_HOST', 'XREDIS_URL', 'REDIS_URL2', 'CONNECTION', 'PAT', 'PATH', 'X_PATH',
    'MY_PATTERN', 'SQLITE_URL', 'X_SQLITE_URL', 'WEB_URL', '',
  ])('%j does not', (name) => {
    expect(isSecretEnvName(name)).toBe(false);
  });
});

describe('splitEnvForTransport', () => {
  const env = { NODE_ENV: 'production', API_KEY: 'sk-1' };

  it('defaults to secrets on stdin, the rest on the command line', () => {
    expect(splitEnvForTransport(env)).toEqual({ commandLine: { NODE_ENV: 'production' }, stdin: { API_KEY: 'sk-1' } });
    expect(splitEnvForTransport(env, 'secrets')).toEqual({ commandLine: { NODE_ENV: 'production' }, stdin: { API_KEY: 'sk-1' } });
  });

  it("'all' and 'none' ignore the names", () => {
    expect(splitEnvForTransport(env, 'all')).toEqual({ commandLine: {}, stdin: env });
    expect(splitEnvForTransport(env, 'none')).toEqual({ commandLine: env, stdin: {} });
  });

  it('accepts no env', () => {
    expect(splitEnvForTransport(undefined)).toEqual({ commandLine: {}, stdin: {} });
  });
});

describe('redactEnv', () => {
  it('replaces secret-looking values and forced names, keeps the rest and the order', () => {
    expect(redactEnv({ A: '1', API_KEY: 'k', B: '2' }, ['B'])).toEqual({ A: '1', API_KEY: REDACTED, B: REDACTED });
    expect(Object.keys(redactEnv({ Z: '1', API_KEY: 'k', A: '2' })!)).toEqual(['Z', 'API_KEY', 'A']);
    expect(redactEnv({ A: '1' })).toEqual({ A: '1' });
    expect(redactEnv(undefined)).toBeUndefined();
    expect(redactEnv({})).toEqual({});
    expect(REDACTED).toBe('<redacted>');
  });
});

describe('redactValues', () => {
  it('replaces every occurrence of values of 4 characters or more', () => {
    expect(redactValues('tok=abcd; again abcd; xyz', ['abcd', 'xyz'])).toBe('tok=<redacted>; again <redacted>; xyz');
    expect(redactValues('abc abcd', ['abc'])).toBe('abc abcd');
    expect(redactValues('one two', [])).toBe('one two');
    expect(redactValues('a-secret and b-secret', new Set(['a-secret', 'b-secret']))).toBe('<redacted> and <redacted>');
  });
});

describe('withoutSecrets', () => {
  it('drops the passphrase and keeps everything else', () => {
    const remote = parseSshRemoteConfig({ id: 'r', host: 'h', passphrase: 'pw-1234', username: 'u' });
    expect(remote.passphrase).toBe('pw-1234');
    const shown = withoutSecrets(remote);
    expect(shown.passphrase).toBeUndefined();
    expect(shown).toEqual({ id: 'r', name: '', host: 'h', port: 22, username: 'u', useSshConfig: false, enabled: true });
  });
});

describe('promptFitsThreshold', () => {
  it('counts UTF-8 bytes, inclusive, default 4000', () => {
    expect(DEFAULT_PROMPT_STDIN_THRESHOLD).toBe(4000);
    expect(promptFitsThreshold('x'.repeat(4000))).toBe(true);
    expect(promptFitsThreshold('x'.repeat(4001))).toBe(false);
    expect(promptFitsThreshold('é'.repeat(2000))).toBe(true);
    expect(promptFitsThreshold('é'.repeat(2001))).toBe(false);
    expect(promptFitsThreshold('héllo', 5)).toBe(false);
    expect(promptFitsThreshold('hello', 5)).toBe(true);
    expect(promptFitsThreshold('', 0)).toBe(true);
  });
});

describe('promptWords', () => {
  it('is nothing without a prompt, even with promptArgs', () => {
    expect(promptWords({})).toEqual([]);
    expect(promptWords({ promptArgs: () => ['-p', 'x'] })).toEqual([]);
  });

  it('separates the prompt with -- unless told not to, or lets promptArgs place it', () => {
    expect(promptWords({ prompt: '-v?' })).toEqual(['--', '-v?']);
    expect(promptWords({ prompt: '' })).toEqual(['--', '']);
    expect(promptWords({ prompt: '-v?', noPromptSeparator: true })).toEqual(['-v?']);
    expect(promptWords({ prompt: '-v?', noPromptSeparator: false })).toEqual(['--', '-v?']);
    expect(promptWords({ prompt: 'hi', promptArgs: (p) => ['-p', p], noPromptSeparator: true })).toEqual(['-p', 'hi']);
  });
});
