import { remoteWithoutPassphrase, type SshRemoteConfig } from '../schemas/remote-config.js';

/** The placeholder shown instead of a secret value. */
export const REDACTED = '<redacted>';

// Words that mark a value as a credential wherever they stand in the name (ANTHROPIC_API_KEY,
// GITHUB_TOKEN, PGPASSWORD, AWS_SESSION_TOKEN, NEXTAUTH_SECRET, SSH_AUTH_SOCK), plus names that
// carry credentials without saying so: connection URLs and DSNs embed user:password.
const SECRET_WORD = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE/i;
const SECRET_NAME = /^(DATABASE_URL|[A-Z0-9_]*_DSN|DSN|[A-Z0-9_]*_(DATABASE|DB|REDIS|MONGO|MONGODB|AMQP|POSTGRES|MYSQL)_(URL|URI)|(REDIS|MONGO|MONGODB|AMQP|POSTGRES|MYSQL)_(URL|URI)|[A-Z0-9_]*CONNECTION_STRING|[A-Z0-9_]*_PAT)$/i;

/**
 * Whether an env var name looks like it holds a secret. The ONE rule sshwrap uses both to decide
 * which values travel on ssh's stdin (`envOnStdin: 'secrets'`, the default) and which values the
 * display form (`remoteCommand`) redacts, so the two can never disagree.
 *
 * Case-insensitive. True for names containing KEY, TOKEN, SECRET, PASSWORD, PASSWD, PASSPHRASE,
 * CREDENTIAL, AUTH, COOKIE, SESSION or PRIVATE, and for connection strings that embed
 * credentials: `DATABASE_URL`, `*_DSN`, `REDIS_URL`/`MONGODB_URI`-style URLs,
 * `*CONNECTION_STRING`, `*_PAT`. To force a name either way, pass it in `secretEnv` (always on
 * stdin) or choose `envOnStdin: 'all'` / `'none'`.
 *
 * @example
 * ```ts
 * isSecretEnvName('ANTHROPIC_API_KEY'); // true
 * isSecretEnvName('DATABASE_URL');      // true
 * isSecretEnvName('NODE_ENV');          // false
 * ```
 */
export function isSecretEnvName(name: string): boolean {
  return SECRET_WORD.test(name) || SECRET_NAME.test(name);
}

/**
 * Which env values travel on ssh's stdin instead of the remote command line:
 * - `'secrets'` (default): values whose name {@link isSecretEnvName}, plus every `secretEnv` entry;
 * - `'all'`: every value;
 * - `'none'`: only `secretEnv`. The others are on the command line, where every local user sees
 *   them in `ps` (the ssh argv) and every remote user too (the remote shell's argv).
 *
 * @example
 * ```ts
 * const mode: EnvOnStdin = 'secrets'; // secret-looking names and secretEnv travel on stdin; 'all' or 'none'
 * ```
 */
export type EnvOnStdin = 'secrets' | 'all' | 'none';

/**
 * Splits env into what may stand on a command line and what must travel on stdin.
 *
 * @example
 * ```ts
 * splitEnvForTransport({ NODE_ENV: 'production', API_KEY: 'sk-1' }, 'secrets');
 * // { commandLine: { NODE_ENV: 'production' }, stdin: { API_KEY: 'sk-1' } }
 * ```
 */
export function splitEnvForTransport(
  env: Readonly<Record<string, string>> | undefined,
  mode: EnvOnStdin = 'secrets',
): { commandLine: Record<string, string>; stdin: Record<string, string> } {
  const commandLine: Record<string, string> = {};
  const stdin: Record<string, string> = {};
  for (const [name, value] of Object.entries(env ?? {})) {
    if (mode === 'all' || (mode === 'secrets' && isSecretEnvName(name))) stdin[name] = value;
    else commandLine[name] = value;
  }
  return { commandLine, stdin };
}

/** A copy of `env` with secret-looking values (and every name in `alwaysSecret`) replaced by {@link REDACTED}. */
export function redactEnv(env: Readonly<Record<string, string>> | undefined, alwaysSecret: Iterable<string> = []): Record<string, string> | undefined {
  if (!env) return undefined;
  const forced = new Set(alwaysSecret);
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, forced.has(name) || isSecretEnvName(name) ? REDACTED : value]));
}

/**
 * The remote as reported back to callers: `passphrase` is dropped, so a result can be logged,
 * serialised or stored without leaking it. Same as `remoteWithoutPassphrase`, typed for a parsed remote.
 *
 * @example
 * ```ts
 * withoutSecrets(remote).passphrase; // undefined
 * ```
 */
export function withoutSecrets(remote: SshRemoteConfig): SshRemoteConfig {
  return remoteWithoutPassphrase(remote);
}

/** Replaces every occurrence of each secret value in `text` (values shorter than 4 chars are left alone: too many false hits). */
export function redactValues(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  return out;
}
