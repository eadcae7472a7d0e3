import { SshWrapError } from '../errors/index.js';
import { DEFAULT_SSH_OPTIONS, SSHWRAP_SSH_OPTIONS } from './default-options.js';

/**
 * Options that make ssh run a local or extra command, or load code (PKCS#11 and security-key
 * provider libraries). Refused in customOptions unless the caller lists them in
 * `allowUnsafeOptions`: a remote config is often data from a settings file.
 *
 * @example
 * ```ts
 * COMMAND_EXECUTING_OPTIONS.includes('ProxyCommand'); // true: refused in customOptions unless in allowUnsafeOptions
 * ```
 */
export const COMMAND_EXECUTING_OPTIONS: readonly string[] = Object.freeze([
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

/** What ssh's config parser makes of a value: quotes removed, a trailing `# comment` dropped. */
function sshValueAsParsed(value: string): string {
  return value.replace(/\s#.*$|^#.*$/, '').replace(/["']/g, '').trim().toLowerCase();
}

/** A customOptions entry that would switch host-key checking off, or `undefined`. */
function disablesHostKeyChecking(lowerName: string, value: string): string | undefined {
  const parsed = sshValueAsParsed(value);
  if (lowerName === 'stricthostkeychecking' && ['no', 'off', 'false'].includes(parsed)) return 'turns host-key checking off';
  // With accept-new (the default), an always-empty known-hosts file accepts any key every time.
  if (lowerName === 'userknownhostsfile' && ['/dev/null', 'nul'].includes(parsed)) return 'makes every host key look new (and accepted)';
  return undefined;
}

/**
 * Merges option layers into one ordered list where each name (compared case-insensitively, as
 * ssh does) appears once. ssh keeps the FIRST value it sees for an option, so emitting both a
 * default and an override would silently keep the default; later layers replace earlier ones
 * in place instead.
 *
 * @example
 * ```ts
 * mergeSshOptions([{ ConnectTimeout: '10' }, { connecttimeout: '30' }]); // [['connecttimeout', '30']]
 * ```
 */
export function mergeSshOptions(layers: ReadonlyArray<Readonly<Record<string, string>> | undefined>): Array<[string, string]> {
  const merged: Array<[string, string]> = [];
  const positions = new Map<string, number>();
  for (const layer of layers) {
    if (!layer) continue;
    for (const name in layer) {
      const key = lowerName(name);
      const at = positions.get(key);
      if (at === undefined) {
        positions.set(key, merged.length);
        merged.push([name, layer[name]!]);
      } else merged[at] = [name, layer[name]!];
    }
  }
  return merged;
}

// Option names come from a small vocabulary; remembering their lower-case form keeps the wrap hot
// path from re-lowering the same dozen names on every call. Bounded so hostile input cannot grow it.
const LOWER_NAMES = new Map<string, string>();
function lowerName(name: string): string {
  let lower = LOWER_NAMES.get(name);
  if (lower === undefined) {
    lower = name.toLowerCase();
    if (LOWER_NAMES.size < 512) LOWER_NAMES.set(name, lower);
  }
  return lower;
}

/**
 * Refuses command-executing options (see {@link COMMAND_EXECUTING_OPTIONS}),
 * `StrictHostKeyChecking=no|off|false` and `UserKnownHostsFile=/dev/null` (host-key checking is
 * never switched off silently, however the value is quoted) unless allowed by name.
 */
export function assertSafeCustomOptions(customOptions: Readonly<Record<string, string>> | undefined, allowUnsafeOptions: readonly string[] = []): void {
  if (!customOptions) return;
  const allowed = new Set(allowUnsafeOptions.map((name) => name.toLowerCase()));
  for (const [name, value] of Object.entries(customOptions)) {
    const lower = name.toLowerCase();
    const weakened = disablesHostKeyChecking(lower, value);
    if (weakened && !allowed.has(lower)) {
      throw new SshWrapError('UNSAFE_ARGUMENT', `customOptions.${name}=${value} ${weakened}; refused unless listed in allowUnsafeOptions`, {
        field: `customOptions.${name}`,
        hint: "Use hostKeyPolicy: 'accept-new' (trust on first use) or 'strict' with a knownHostsFile instead.",
      });
    }
    if (COMMAND_EXECUTING_OPTIONS.some((unsafe) => unsafe.toLowerCase() === lower) && !allowed.has(lower)) {
      throw new SshWrapError('UNSAFE_ARGUMENT', `customOptions.${name} runs a command; refused unless listed in allowUnsafeOptions`, {
        field: `customOptions.${name}`,
        hint: 'Put ProxyCommand/LocalCommand in ~/.ssh/config (useSshConfig: true) or pass allowUnsafeOptions: ["' + name + '"] if this config is trusted.',
      });
    }
  }
}

/** The default layers merged once (the reference defaults, then sshwrap's own), as one layer. */
export const BASE_SSH_OPTIONS: Readonly<Record<string, string>> = Object.freeze(Object.fromEntries(mergeSshOptions([DEFAULT_SSH_OPTIONS, SSHWRAP_SSH_OPTIONS])));
