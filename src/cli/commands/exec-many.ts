import { runOnMany, type FleetRunResult } from '../../fleet/index.js';
import { createMemoryStoreAdapter } from '../../resolve/index.js';
import type { SshRemoteConfig } from '../../schemas/index.js';
import { detachedExecutor } from '../../process/executor.js';
import { parseEnvFlags, type ParsedCommandLine } from '../args.js';
import { EXIT } from '../exit-codes.js';
import { runFailure } from '../exec-view.js';
import type { CliIo, CliSignal } from '../io.js';
import { pickRemote } from '../pick-remote.js';
import { loadRemotesFile } from '../remotes-file.js';
import { oneLine } from '../report-error.js';
import { DEFAULT_REMOTE_CWD, readPrompt, type RunFlagValues } from '../run-plan.js';
import { UsageError } from '../usage-error.js';
import { execExitCode } from './exec-exit.js';

/** `exec --on`'s default for `--concurrency`: runs at once over all hosts. */
export const DEFAULT_CLI_CONCURRENCY = 16;

/** The flags of `exec` that only the fan-out form uses. */
export const FAN_OUT_FLAGS = {
  on: { type: 'string' },
  'on-all': { type: 'boolean' },
  concurrency: { type: 'string' },
  'per-host': { type: 'string' },
  'fail-fast': { type: 'boolean' },
} as const;

/** Parsed values of {@link FAN_OUT_FLAGS} plus the shared run flags. */
export interface FanOutFlagValues extends RunFlagValues {
  on?: string | undefined;
  'on-all'?: boolean | undefined;
  concurrency?: string | undefined;
  'per-host'?: string | undefined;
  'fail-fast'?: boolean | undefined;
  json?: boolean | undefined;
}

function count(value: string | undefined, flag: string, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new UsageError(`exec: --${flag} expects a positive integer, got "${value}"`, 'exec');
  return Number(value);
}

async function fanOutRemotes(flags: FanOutFlagValues, io: CliIo): Promise<SshRemoteConfig[]> {
  if (flags['on-all']) {
    const file = await loadRemotesFile(flags.remotes, io.env);
    const remotes = file.remotes.filter((remote) => remote.enabled);
    if (remotes.length === 0) throw new UsageError(`exec: --on-all: no enabled remote in ${file.file}${file.exists ? '' : ' (absent)'}`, 'exec');
    return remotes;
  }
  const ids = flags.on!.split(',').map((id) => id.trim());
  if (ids.some((id) => id === '')) throw new UsageError('exec: --on expects comma-separated remote ids, e.g. --on gpu-1,gpu-2', 'exec');
  const picked = await Promise.all(ids.map((id) => pickRemote(id, { remotesFile: flags.remotes, sshConfigFile: flags['ssh-config'], env: io.env })));
  return picked.map(({ remote }) => remote);
}

/**
 * Writes whole lines only, each prefixed with its host's id: one `write` per line, so lines of
 * different hosts never interleave mid-line (the library hands over complete lines, the last one
 * unterminated at the end).
 */
function prefixed(write: (text: string) => unknown, id: string): (line: string) => void {
  return (line) => write(`${id}: ${line}\n`);
}

/**
 * `sshwrap exec --on a,b,c [options] -- <command>` (or `--on-all`: every enabled remote of the
 * remotes file): runs the command on every host through `runOnMany` (pooled), prints each line of
 * output as `<id>: <line>` (stdout to stdout, stderr to stderr), reports each host that failed,
 * and exits with the worst host's status: the largest of the statuses `sshwrap exec` would have
 * exited with for each host (0 only when every host's command exited 0).
 *
 * @example
 * ```ts
 * process.exitCode = await execOnMany(parsed, io, 30_000, signal);
 * ```
 */
export async function execOnMany(
  parsed: ParsedCommandLine<FanOutFlagValues>,
  io: CliIo,
  timeoutMs: number | undefined,
  signal: AbortSignal,
  interruptedBy: () => CliSignal | undefined,
): Promise<number> {
  const flags = parsed.values;
  if (flags.on !== undefined && flags['on-all']) throw new UsageError('exec: use either --on or --on-all', 'exec');
  if (parsed.positionals.length > 0) throw new UsageError(`exec: with --on/--on-all there is no <remote> argument (got "${parsed.positionals[0]}")`, 'exec');
  if (flags.json) throw new UsageError('exec: --json works with one <remote> only', 'exec');
  const [command, ...args] = parsed.rest ?? [];
  if (command === undefined || command === '') throw new UsageError('exec: missing the remote command; put it after --, e.g. sshwrap exec --on a,b -- uptime', 'exec');
  const concurrency = count(flags.concurrency, 'concurrency', DEFAULT_CLI_CONCURRENCY)!;
  const perHostConcurrency = count(flags['per-host'], 'per-host', undefined);
  const env = parseEnvFlags(flags.env, 'exec');
  const envOnStdin = flags['env-on-stdin'] ?? 'secrets';
  if (!['secrets', 'all', 'none'].includes(envOnStdin)) throw new UsageError(`exec: --env-on-stdin must be secrets, all or none (got ${JSON.stringify(envOnStdin)})`, 'exec');
  const remotes = await fanOutRemotes(flags, io);
  const prompt = await readPrompt(flags['prompt-file'], io, 'exec');
  const sshConfigFile = flags['ssh-config'];

  const results = await runOnMany(
    remotes,
    {
      command,
      args,
      cwd: flags.cwd ?? DEFAULT_REMOTE_CWD,
      ...(prompt !== undefined ? { prompt } : {}),
      ...(Object.keys(env).length > 0 ? { customEnvVars: env } : {}),
    },
    createMemoryStoreAdapter(remotes),
    {
      concurrency,
      ...(perHostConcurrency !== undefined ? { perHostConcurrency } : {}),
      failFast: flags['fail-fast'] ?? false,
      signal,
      runOptions: (target) => {
        const remote = target as SshRemoteConfig;
        return {
          envOnStdin: envOnStdin as 'secrets' | 'all' | 'none',
          ...(sshConfigFile !== undefined && remote.useSshConfig ? { sshConfigFile } : {}),
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
          executor: io.executor ?? detachedExecutor,
          // Streamed line by line, not kept: many long-running commands must not grow memory.
          maxBuffer: 0,
          onStdoutLine: prefixed((text) => io.stdout.write(text), remote.id),
          onStderrLine: prefixed((text) => io.stderr.write(text), remote.id),
        };
      },
    },
  );
  return report(results, io, timeoutMs, interruptedBy());
}

function report(results: readonly FleetRunResult[], io: CliIo, timeoutMs: number | undefined, interruptedBy: CliSignal | undefined): number {
  let worst: number = EXIT.OK;
  const failed: string[] = [];
  for (const result of results) {
    if (result.notStarted) {
      failed.push(`${result.remoteId} (not started)`);
      continue;
    }
    const code = execExitCode(result, interruptedBy);
    worst = Math.max(worst, code);
    const failure = runFailure(result, timeoutMs);
    if (failure) io.stderr.write(`sshwrap: ${result.remoteId}: ${failure.kind}: ${oneLine(failure.message)}\n${failure.hint ? `  hint: ${oneLine(failure.hint)}\n` : ''}`);
    if (code !== EXIT.OK) failed.push(`${result.remoteId} (${failure?.kind ?? `exit ${code}`})`);
  }
  if (interruptedBy) return EXIT[interruptedBy];
  // A host skipped by --fail-fast did not run: as for exec, that is "the remote command did not run".
  if (results.some((result) => result.notStarted)) worst = Math.max(worst, EXIT.REMOTE_DID_NOT_RUN);
  if (failed.length > 0) io.stderr.write(`sshwrap: ${failed.length} of ${results.length} hosts failed: ${failed.join(', ')}\n`);
  return worst;
}
