import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ENV_NAME } from '../schemas/index.js';
import type { RemoteEnvironment } from '../wrap/index.js';
import { quotePosix } from '../quoting/index.js';
import { UsageError } from './usage-error.js';

type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/**
 * A command line split at the first `--` that ends sshwrap's own options.
 *
 * @example
 * ```ts
 * const { values, positionals, rest } = parseCommandLine(argv, RUN_FLAGS, 'exec');
 * ```
 */
export interface ParsedCommandLine<Values> {
  values: Values;
  /** Positionals before `--`. */
  positionals: string[];
  /** Everything after `--` (the remote command), or `undefined` when there was no `--`. */
  rest: string[] | undefined;
  /** The arguments before `--`, as typed: suggestions repeat them so they run as printed. */
  own?: readonly string[];
}

// parseArgs explains its errors at length ("To specify a positional argument starting with a
// '-', place it…"); one short sentence plus a pointer to --help reads better on a terminal.
function shortParseError(error: unknown, command: string): UsageError {
  const message = error instanceof Error ? error.message : String(error);
  const firstSentence = message.split(/\.\s/)[0]!.replace(/\.$/, '');
  return new UsageError(`${command}: ${firstSentence.charAt(0).toLowerCase()}${firstSentence.slice(1)}`, command);
}

/**
 * Parses one command's arguments with node:util `parseArgs` (strict: unknown flags are errors).
 * Only the first `--` ends sshwrap's options; what follows is kept verbatim, flags included.
 *
 * @example
 * ```ts
 * parseCommandLine(['gpu', '--cwd', '/srv', '--', 'ls', '-la'], { cwd: { type: 'string' } }, 'exec');
 * // { values: { cwd: '/srv' }, positionals: ['gpu'], rest: ['ls', '-la'] }
 * ```
 */
export function parseCommandLine<Options extends OptionSpecs>(
  argv: readonly string[],
  options: Options,
  command: string,
): ParsedCommandLine<ReturnType<typeof parseArgs<{ options: Options; allowPositionals: true; strict: true }>>['values']> {
  const terminator = argv.indexOf('--');
  const own = terminator === -1 ? [...argv] : argv.slice(0, terminator);
  let parsed;
  try {
    parsed = parseArgs({ args: own, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw shortParseError(error, command);
  }
  return {
    values: parsed.values as never,
    positionals: parsed.positionals,
    rest: terminator === -1 ? undefined : argv.slice(terminator + 1),
    own,
  };
}

/**
 * `--env K=V` values as a map; a later flag for the same name wins, like a shell assignment.
 *
 * @example
 * ```ts
 * parseEnvFlags(['NODE_ENV=production', 'EMPTY=']); // { NODE_ENV: 'production', EMPTY: '' }
 * ```
 */
export function parseEnvFlags(flags: readonly string[] | undefined, command: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const flag of flags ?? []) {
    const eq = flag.indexOf('=');
    const name = eq === -1 ? flag : flag.slice(0, eq);
    if (eq === -1) throw new UsageError(`${command}: --env expects NAME=VALUE, got "${flag}"`, command);
    if (!ENV_NAME.test(name)) throw new UsageError(`${command}: --env: "${name}" is not a valid variable name ([A-Za-z_][A-Za-z0-9_]*)`, command);
    env[name] = flag.slice(eq + 1);
  }
  return env;
}

/**
 * `--timeout SECONDS` (decimals allowed) in milliseconds; `undefined` when not given.
 *
 * @example
 * ```ts
 * parseTimeoutFlag('1.5', 'exec'); // 1500
 * ```
 */
export function parseTimeoutFlag(value: string | undefined, command: string): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`${command}: --timeout expects a positive number of seconds, got "${value}"`, command);
  }
  return Math.round(seconds * 1000);
}

/**
 * `--login-env` / `--login-timeout SECONDS` as the library's `remoteEnvironment`: `undefined`
 * (the default environment) when neither is given; `--login-timeout` alone implies `--login-env`.
 *
 * @throws {UsageError} for a `--login-timeout` that is not a whole number of seconds in 1–3600.
 * @example
 * ```ts
 * loginEnvFlags(true, '30', 'exec'); // { mode: 'login', timeoutSeconds: 30 }
 * ```
 */
export function loginEnvFlags(loginEnv: boolean | undefined, loginTimeout: string | undefined, command: string): RemoteEnvironment | undefined {
  if (loginTimeout === undefined) return loginEnv ? 'login' : undefined;
  const seconds = Number(loginTimeout);
  // Whole seconds: the remote watchdog is POSIX `sleep`, which takes no fractions.
  if (!/^\d+$/.test(loginTimeout.trim()) || seconds < 1 || seconds > 3600) {
    throw new UsageError(`${command}: --login-timeout expects whole seconds between 1 and 3600, got "${loginTimeout}"`, command);
  }
  return { mode: 'login', timeoutSeconds: seconds };
}

/**
 * The `<remote>` positional and the remote command after `--`, with usage errors for what is missing.
 *
 * @example
 * ```ts
 * remoteAndCommand({ positionals: ['gpu'], rest: ['ls'] }, 'exec'); // { remote: 'gpu', command: 'ls', args: [] }
 * ```
 */
export function remoteAndCommand(
  parsed: { positionals: string[]; rest: string[] | undefined; own?: readonly string[] | undefined },
  command: string,
): { remote: string; command: string; args: string[] } {
  const [remote, ...extra] = parsed.positionals;
  if (remote === undefined) throw new UsageError(`${command}: missing <remote>`, command);
  // The user's own flags are repeated (quoted for a POSIX shell), so the suggestion runs as printed.
  const suggest = (words: readonly string[]): string => {
    const own = (parsed.own ?? [remote]).filter((word) => !extra.includes(word));
    return ['sshwrap', command, ...own, '--', ...words].map((word) => quotePosix(word)).join(' ');
  };
  if (extra.length > 0) {
    throw new UsageError(`${command}: unexpected "${extra[0]}"; put the remote command after --, e.g. ${suggest(extra)}`, command);
  }
  const [program, ...args] = parsed.rest ?? [];
  if (program === undefined || program === '') {
    throw new UsageError(`${command}: missing the remote command; put it after --, e.g. ${suggest(['uname', '-a'])}`, command);
  }
  return { remote, command: program, args };
}
