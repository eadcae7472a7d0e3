import { describeEffectiveRemote } from '../../resolve/index.js';
import { wrapSpawnWithSsh } from '../../exec/index.js';
import { redactEnv, type SshSpawnWrapResult } from '../../wrap/index.js';
import type { SshRemoteConfig } from '../../schemas/index.js';
import { remoteWithoutPassphrase } from '../../schemas/remote-config.js';
import { parseCommandLine, remoteAndCommand } from '../args.js';
import { EXIT } from '../exit-codes.js';
import { HELP } from '../help.js';
import type { CliIo } from '../io.js';
import { planRun, RUN_FLAGS, type RunPlan } from '../run-plan.js';
import { UsageError } from '../usage-error.js';

const FLAGS = { ...RUN_FLAGS, 'dry-run': { type: 'boolean' } } as const;

/**
 * A remote as shown to a user: no passphrase, secret-looking remoteEnv values redacted.
 *
 * @example
 * ```ts
 * displayRemote(remote); // { id: 'gpu-1', host: 'gpu', remoteEnv: { API_TOKEN: '<redacted>' }, ... }
 * ```
 */
export function displayRemote(remote: SshRemoteConfig): Record<string, unknown> {
  const { remoteEnv, ...rest } = remoteWithoutPassphrase(remote);
  return { ...rest, ...(remoteEnv ? { remoteEnv: redactEnv(remoteEnv) } : {}) };
}

/** stdin is one encoded (ASCII, newline-terminated) line per env value, then the prompt. */
function promptBytesOnStdin(stdin: string, envLines: number): number {
  let offset = 0;
  for (let line = 0; line < envLines; line++) offset = stdin.indexOf('\n', offset) + 1;
  return Buffer.byteLength(stdin) - offset;
}

/**
 * The JSON `wrap --dry-run` prints: the wrap result with nothing secret in it. Env values are
 * redacted in `remoteCommand`, secret-looking ones were never in `args` (they go over stdin), and
 * `stdin` is reported by size only since it carries those values and any prompt.
 */
function dryRunReport(plan: RunPlan, wrapped: SshSpawnWrapResult, effective: unknown): Record<string, unknown> {
  return {
    remote: { id: plan.picked.remote.id, source: plan.picked.source, file: plan.picked.file },
    command: wrapped.command,
    args: wrapped.args,
    cwd: wrapped.cwd,
    remoteCommand: wrapped.remoteCommand,
    ...(wrapped.stdin !== undefined
      ? {
          stdin: {
            bytes: Buffer.byteLength(wrapped.stdin),
            promptBytes: promptBytesOnStdin(wrapped.stdin, plan.stdinEnvNames.length),
            envNames: plan.stdinEnvNames,
          },
        }
      : {}),
    sshRemoteUsed: wrapped.sshRemoteUsed ? displayRemote(wrapped.sshRemoteUsed) : null,
    effective,
  };
}

/**
 * `sshwrap wrap <remote> --dry-run -- <command> [args…]`: prints the wrap result as JSON.
 *
 * @example
 * ```ts
 * await wrapCommand(['gpu', '--dry-run', '--', 'uname', '-a'], io); // 0, JSON on io.stdout
 * ```
 */
export async function wrapCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(argv, FLAGS, 'wrap');
  if (parsed.values.help) {
    io.stdout.write(HELP.wrap);
    return EXIT.OK;
  }
  remoteAndCommand(parsed, 'wrap');
  if (!parsed.values['dry-run']) {
    throw new UsageError("wrap: only --dry-run is supported (it prints and runs nothing); to run the command use 'sshwrap exec'", 'wrap');
  }
  const plan = await planRun(parsed, io, 'wrap');
  const wrapped = await wrapSpawnWithSsh(plan.config, plan.agentSsh, plan.store, plan.options);
  const effective = await describeEffectiveRemote(plan.picked.remote, { configFile: plan.options.sshConfigFile });
  io.stdout.write(`${JSON.stringify(dryRunReport(plan, wrapped, effective), null, 2)}\n`);
  return EXIT.OK;
}
