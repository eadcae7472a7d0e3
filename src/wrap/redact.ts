import { remoteWithoutPassphrase, type SshRemoteConfig } from '../schemas/remote-config.js';

/** The placeholder shown instead of a secret value. */
export const REDACTED = '<redacted>';

const SECRET_NAME = /(PASSW|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|_KEY$|^KEY$|AUTH|CREDENTIAL|COOKIE|SESSION)/i;

/**
 * Whether an env var name looks like it holds a secret (`ANTHROPIC_API_KEY`, `GITHUB_TOKEN`,
 * `DB_PASSWORD`, ...). Used for display only: values still reach the remote unchanged.
 *
 * @example
 * ```ts
 * isSecretEnvName('ANTHROPIC_API_KEY'); // true
 * isSecretEnvName('NODE_ENV');          // false
 * ```
 */
export function isSecretEnvName(name: string): boolean {
  return SECRET_NAME.test(name);
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
