import { SshWrapError } from '../errors/index.js';
import { hostField } from '../schemas/fields.js';
import { assertSshPathOption, toSshWrapError } from '../schemas/parse.js';
import { assertKnownOptions, optionKeys } from '../schemas/option-keys.js';
import { nodeExecutor, type SpawnExecutor } from '../process/executor.js';
import { runCommand } from '../process/run-command.js';
import { expandIdentityFile } from './ssh-tokens.js';

/**
 * A host as ssh itself resolves it from ~/.ssh/config (or `configFile`), after `Include`,
 * `Match`, `%` tokens in HostName and first-value-wins.
 *
 * @example
 * ```ts
 * const { hostname, user, port, options }: SshConfigHost = await resolveSshConfigHost('gpu');
 * options.forwardagent; // ['no']
 * ```
 */
export interface SshConfigHost {
  /** The name ssh connects to (`HostName`, or the alias itself). */
  hostname: string;
  /** The login name (ssh falls back to the local user). */
  user: string;
  /** The TCP port. */
  port: number;
  /** Key files ssh will try, in order, with `~`, `${VAR}` and `%` tokens expanded (`%C` kept). */
  identityFiles: string[];
  /**
   * The jump hosts, when ~/.ssh/config sets OpenSSH's `ProxyJump`: one `[user@]host[:port]` per
   * hop, first hop first (an `ssh://` prefix dropped). The same name and shape as the remote
   * config's `jumpHosts` strings, so it can be copied there to give the hops the remote's settings.
   */
  jumpHosts?: string[];
  /** Everything `ssh -G` printed: lower-case option name → its values, one per printed line. */
  options: Record<string, string[]>;
}

/**
 * Options for {@link resolveSshConfigHost}.
 *
 * @example
 * ```ts
 * const options: ResolveSshConfigOptions = { configFile: './ssh_config', timeoutMs: 5_000 };
 * ```
 */
export interface ResolveSshConfigOptions {
  /** ssh_config file to read instead of ~/.ssh/config (`ssh -F`). @default ssh's own */
  configFile?: string | undefined;
  /**
   * Starts `ssh -G` (stdin ended, stdout and stderr read to the end). Inject one to run it
   * elsewhere (a utility process) or to fake it in tests. @default nodeExecutor
   */
  executor?: SpawnExecutor | undefined;
  /** ssh client binary. @default 'ssh' */
  sshPath?: string | undefined;
  /** Cancels the `ssh -G` run. */
  signal?: AbortSignal | undefined;
  /** Kills `ssh -G` after this long (a `Match exec` command in the config can hang). @default 10000 */
  timeoutMs?: number | undefined;
}

const DEFAULT_TIMEOUT_MS = 10_000;
// `ssh -G` prints about 4 KB; 1 MiB leaves room for huge configs without unbounded buffering.
const MAX_OUTPUT_CHARS = 1024 * 1024;
// Hosts per process are few; the cap only guards a caller that resolves generated names forever.
const MAX_CACHED = 256;

// One cache per executor: an injected executor (tests, another machine) must not see results
// produced by the real ssh, and vice versa. Replaced wholesale by clearSshConfigCache().
let caches = new WeakMap<SpawnExecutor, Map<string, SshConfigHost>>();

function cacheFor(executor: SpawnExecutor): Map<string, SshConfigHost> {
  let cache = caches.get(executor);
  if (!cache) {
    cache = new Map();
    caches.set(executor, cache);
  }
  return cache;
}

/**
 * Forgets every host resolved so far, e.g. after ~/.ssh/config was edited.
 *
 * @example
 * ```ts
 * fs.appendFileSync(configPath, 'Host new\n  HostName new.example.com\n');
 * clearSshConfigCache();
 * await resolveSshConfigHost('new');
 * ```
 */
export function clearSshConfigCache(): void {
  caches = new WeakMap();
}

/**
 * Parses `ssh -G` output: one `name value` pair per line, names lower-case. Options ssh prints
 * several times (IdentityFile, LocalForward, ...) keep every value, in order.
 *
 * @example
 * ```ts
 * parseSshGOutput('user dev\nidentityfile ~/.ssh/a\nidentityfile ~/.ssh/b\n');
 * // => { user: ['dev'], identityfile: ['~/.ssh/a', '~/.ssh/b'] }
 * ```
 */
export function parseSshGOutput(stdout: string): Record<string, string[]> {
  const options: Record<string, string[]> = {};
  for (const line of stdout.split('\n')) {
    const trimmed = line.replace(/\r$/, '');
    if (!trimmed.trim()) continue;
    const space = trimmed.indexOf(' ');
    const name = (space === -1 ? trimmed : trimmed.slice(0, space)).toLowerCase();
    const value = space === -1 ? '' : trimmed.slice(space + 1);
    (options[name] ??= []).push(value);
  }
  return options;
}

function first(options: Record<string, string[]>, name: string): string | undefined {
  return options[name]?.[0];
}

function toHost(hostArg: string, options: Record<string, string[]>, output: string): SshConfigHost {
  const hostname = first(options, 'hostname');
  const user = first(options, 'user');
  const port = Number(first(options, 'port'));
  if (!hostname || !user || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new SshWrapError('INVALID_CONFIG', `ssh -G printed no usable hostname/user/port for "${hostArg}": ${output.slice(0, 200)}`);
  }
  const jump = first(options, 'proxyjump');
  const proxyJump = jump && jump !== 'none' ? jump : undefined;
  const hostKeyAlias = first(options, 'hostkeyalias');
  const tokens = { hostArg, hostname, user, port, proxyJump, hostKeyAlias };
  return {
    hostname,
    user,
    port,
    identityFiles: (options.identityfile ?? []).map((file) => expandIdentityFile(file, tokens)),
    // ProxyJump also takes ssh://[user@]host[:port] URIs (ssh_config(5)); jumpHosts strings do not.
    ...(proxyJump ? { jumpHosts: proxyJump.split(',').map((hop) => hop.replace(/^ssh:\/\//i, '')) } : {}),
    options,
  };
}

function assertHost(host: string): void {
  const result = hostField.safeParse(host);
  if (!result.success) throw toSshWrapError(result.error, 'ssh config host');
}

/** Why ssh -G failed, without the noise ssh adds when stdin is not a terminal. */
function sshComplaint(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('Pseudo-terminal will not be allocated'))
    .join('; ');
}

/**
 * Runs `ssh -G <args>` and parses what it printed. `hostArg` is what `%n` stands for.
 * Shared by {@link resolveSshConfigHost} and describeEffectiveRemote, which adds the remote's
 * own overrides (`user@`, `-p`, `-o`) so ssh evaluates `Match user …` with them.
 * @internal
 * @example
 * ```ts
 * await runSshG('app', ['-p', '2022', '--', 'bob@app'], { configFile: './ssh_config' });
 * ```
 */
/** Every key of {@link ResolveSshConfigOptions}. @internal */
export const RESOLVE_OPTION_KEYS = optionKeys<ResolveSshConfigOptions>()({ configFile: true, executor: true, sshPath: true, signal: true, timeoutMs: true });

export async function runSshG(hostArg: string, args: readonly string[], options: ResolveSshConfigOptions = {}): Promise<SshConfigHost> {
  assertKnownOptions(options, RESOLVE_OPTION_KEYS, 'ssh config options');
  assertSshPathOption(options.sshPath, 'sshPath');
  assertSshPathOption(options.configFile, 'configFile');
  assertHost(hostArg);
  const executor = options.executor ?? nodeExecutor;
  const sshPath = options.sshPath ?? 'ssh';
  const fullArgs = ['-G', ...(options.configFile !== undefined ? ['-F', options.configFile] : []), ...args];
  const key = JSON.stringify([sshPath, fullArgs]);
  const cache = cacheFor(executor);
  const cached = cache.get(key);
  if (cached) return cached;

  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const result = await runCommand(executor, sshPath, fullArgs, { timeoutMs, signal: options.signal, maxCaptureChars: MAX_OUTPUT_CHARS });
  if (result.aborted) throw options.signal?.reason ?? new DOMException('This operation was aborted', 'AbortError');
  if (result.spawnError) {
    throw new SshWrapError('SPAWN_FAILED', `Could not run "${sshPath} -G": ${result.spawnError.message}`, {
      hint: 'Install the OpenSSH client (ssh) or pass sshPath.',
      cause: result.spawnError,
    });
  }
  if (result.code !== 0) {
    const how = result.timedOut ? `killed after ${timeoutMs} ms` : result.code === null ? `killed by ${result.signal}` : `exit status ${result.code}`;
    const said = sshComplaint(result.stderr);
    // A kill is always worth saying: a hanging `Match exec` leaves stderr that explains nothing.
    const complaint = result.code === null ? [said, how].filter(Boolean).join('; ') : said || how;
    throw new SshWrapError('INVALID_CONFIG', `ssh could not read its configuration for "${hostArg}": ${complaint}`, {
      field: 'configFile',
      hint: options.configFile ? `Check ${options.configFile} (ssh -G -F ${options.configFile} ${hostArg}).` : `Check ~/.ssh/config (ssh -G ${hostArg}).`,
    });
  }
  const resolved = toHost(hostArg, parseSshGOutput(result.stdout), result.stdout);
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(key, resolved);
  return resolved;
}

/**
 * Resolves a host exactly as ssh would connect to it, by asking ssh: `ssh -G [-F file] -- host`.
 *
 * ssh is the authority: it follows `Include`, evaluates `Match`, expands `%` tokens and keeps
 * the FIRST value it meets for each option, which a config-file parser would have to
 * re-implement (and the ssh-config package does not). It takes about 10 ms, so results are
 * cached per process, keyed on (host, configFile, sshPath); see {@link clearSshConfigCache}.
 *
 * @throws {SshWrapError} `UNSAFE_ARGUMENT` for a host starting with `-` or holding whitespace
 *   (nothing is spawned), `INVALID_CONFIG` when ssh rejects the config (its stderr is in the
 *   message), `SPAWN_FAILED` when ssh cannot be run.
 * @example
 * ```ts
 * const gpu = await resolveSshConfigHost('gpu');
 * // { hostname: 'gpu.corp.example.com', user: 'dev', port: 2222, identityFiles: ['/home/me/.ssh/id_gpu'], options: { ... } }
 * ```
 */
export function resolveSshConfigHost(host: string, options: ResolveSshConfigOptions = {}): Promise<SshConfigHost> {
  return runSshG(host, ['--', host], options);
}
