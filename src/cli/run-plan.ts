import { readFile } from 'node:fs/promises';
import { createMemoryStoreAdapter, type SshRemoteStoreAdapter } from '../resolve/index.js';
import type { AgentSshRemoteConfig, SshSpawnWrapConfig } from '../schemas/index.js';
import type { WrapSpawnOptions } from '../exec/index.js';
import { splitEnvForTransport, type EnvOnStdin } from '../wrap/index.js';
import { loginEnvFlags, parseEnvFlags, remoteAndCommand, type ParsedCommandLine } from './args.js';
import type { CliIo } from './io.js';
import { pickRemote, type PickedRemote } from './pick-remote.js';
import { UsageError } from './usage-error.js';

/**
 * Flags shared by `wrap` and `exec`, in node:util parseArgs form.
 *
 * @example
 * ```ts
 * const FLAGS = { ...RUN_FLAGS, timeout: { type: 'string' } } as const;
 * ```
 */
export const RUN_FLAGS = {
  remotes: { type: 'string' },
  cwd: { type: 'string' },
  env: { type: 'string', multiple: true },
  'prompt-file': { type: 'string' },
  'ssh-config': { type: 'string' },
  'env-on-stdin': { type: 'string' },
  'login-env': { type: 'boolean' },
  'login-timeout': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * The values of {@link RUN_FLAGS} after parsing.
 *
 * @example
 * ```ts
 * const values: RunFlagValues = { cwd: '~/app', env: ['NODE_ENV=production'] };
 * ```
 */
export interface RunFlagValues {
  remotes?: string | undefined;
  cwd?: string | undefined;
  env?: string[] | undefined;
  'prompt-file'?: string | undefined;
  'ssh-config'?: string | undefined;
  'env-on-stdin'?: string | undefined;
  'login-env'?: boolean | undefined;
  'login-timeout'?: string | undefined;
}

/**
 * Everything `wrapSpawnWithSsh`/`runWithSsh` take, built from a `wrap`/`exec` command line.
 *
 * @example
 * ```ts
 * const plan: RunPlan = await planRun(parsed, io, 'exec');
 * await runWithSsh(plan.config, plan.agentSsh, plan.store, plan.options);
 * ```
 */
export interface RunPlan {
  picked: PickedRemote;
  config: SshSpawnWrapConfig;
  agentSsh: AgentSshRemoteConfig;
  store: SshRemoteStoreAdapter;
  options: WrapSpawnOptions;
  /** Names of the variables sent over ssh's stdin instead of the command line. */
  stdinEnvNames: string[];
}

/**
 * Remote default cwd: the login directory, since the local cwd rarely exists on the remote.
 *
 * @example
 * ```ts
 * const cwd = flags.cwd ?? DEFAULT_REMOTE_CWD; // '~'
 * ```
 */
export const DEFAULT_REMOTE_CWD = '~';

/**
 * The prompt of `--prompt-file FILE` (`-`: stdin), or `undefined` without the flag.
 *
 * @throws {UsageError} when the file cannot be read.
 * @example
 * ```ts
 * const prompt = await readPrompt(flags['prompt-file'], io, 'exec');
 * ```
 */
export async function readPrompt(file: string | undefined, io: CliIo, command: string): Promise<string | undefined> {
  if (file === undefined) return undefined;
  if (file === '-') return io.readStdin();
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${command}: --prompt-file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, command);
  }
}

/**
 * Turns a `wrap`/`exec` command line into the library's inputs.
 *
 * Secret-looking variables (`*_TOKEN`, `*_API_KEY`, … from `--env` or the remote's `remoteEnv`)
 * travel on ssh's stdin, never on a command line where `ps` on either machine would show them
 * (`--env-on-stdin secrets|all|none`, the library's `envOnStdin`).
 *
 * @throws {UsageError} for missing or malformed arguments; {@link SshWrapError} from picking the remote.
 * @example
 * ```ts
 * const plan = await planRun(parseCommandLine(argv, RUN_FLAGS, 'exec'), io, 'exec');
 * await wrapSpawnWithSsh(plan.config, plan.agentSsh, plan.store, plan.options);
 * ```
 */
export async function planRun(parsed: ParsedCommandLine<RunFlagValues>, io: CliIo, command: string): Promise<RunPlan> {
  const target = remoteAndCommand(parsed, command);
  const flags = parsed.values;
  const env = parseEnvFlags(flags.env, command);
  const remoteEnvironment = loginEnvFlags(flags['login-env'], flags['login-timeout'], command);
  const picked = await pickRemote(target.remote, { remotesFile: flags.remotes, sshConfigFile: flags['ssh-config'], env: io.env });
  const prompt = await readPrompt(flags['prompt-file'], io, command);

  const envOnStdin = flags['env-on-stdin'] ?? 'secrets';
  if (!['secrets', 'all', 'none'].includes(envOnStdin)) {
    throw new UsageError(`${command}: --env-on-stdin must be secrets, all or none (got ${JSON.stringify(envOnStdin)})`, command);
  }
  const stdinEnv = splitEnvForTransport({ ...picked.remote.remoteEnv, ...env }, envOnStdin as EnvOnStdin).stdin;
  const sshConfigFile = flags['ssh-config'];
  return {
    picked,
    config: {
      command: target.command,
      args: target.args,
      cwd: flags.cwd ?? DEFAULT_REMOTE_CWD,
      ...(prompt !== undefined ? { prompt } : {}),
      ...(Object.keys(env).length > 0 ? { customEnvVars: env } : {}),
    },
    agentSsh: { enabled: true, remoteId: picked.remote.id },
    store: createMemoryStoreAdapter([picked.remote]),
    options: {
      envOnStdin: envOnStdin as EnvOnStdin,
      ...(remoteEnvironment !== undefined ? { remoteEnvironment } : {}),
      // -F only matters to remotes that read an ssh config; the others run with -F none.
      ...(sshConfigFile !== undefined && picked.remote.useSshConfig ? { sshConfigFile } : {}),
    },
    stdinEnvNames: Object.keys(stdinEnv),
  };
}
