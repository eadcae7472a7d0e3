import { SshWrapError } from '../errors/index.js';
import { randomMarkerToken, runWithSsh, SshRunError, type RunWithSshOptions } from '../exec/index.js';
import type { SshRemoteStoreAdapter } from '../resolve/index.js';
import { assertKnownOptions, assertNonNegative, optionKeys } from '../schemas/index.js';
import { DEFAULT_DISK_PATH, defaultHostFactsCache, type HostFactsCache } from './facts-cache.js';
import { FACTS_SCRIPT, TOOL_TIMEOUT_SECONDS } from './facts-script.js';
import { parseFactsOutput, type HostFacts } from './facts.js';
import { resolveTarget, type FleetTarget } from './targets.js';

/** How long probed facts are served from the cache: load and free memory move within seconds. */
export const DEFAULT_FACTS_TTL_MS = 30_000;
// ssh's ConnectTimeout (10 s by default) + the tools' bound + margin for a slow login.
const DEFAULT_PROBE_TIMEOUT_MS = 10_000 + TOOL_TIMEOUT_SECONDS * 1000 + 10_000;

/**
 * Options of {@link probeHost}: what to ask, how long to trust the answer, and the runner
 * options the probe's one `runWithSsh` gets.
 *
 * @example
 * ```ts
 * const options: ProbeHostOptions = { agents: ['claude', 'codex'], cacheTtlMs: 10_000, diskPath: '~/work' };
 * ```
 */
export interface ProbeHostOptions extends Pick<RunWithSshOptions, 'signal' | 'executor' | 'env' | 'sshPath' | 'remotePath' | 'connectionPool' | 'askpass'> {
  /** Agent binaries to look up on the run's PATH (`command -v`, then `<agent> --version`, bounded). @default [] */
  agents?: readonly string[];
  /** Serve facts this young (ms) from `cache` instead of probing; `0` always probes. @default 30_000 */
  cacheTtlMs?: number;
  /** Where probed facts are kept and looked up. @default a process-wide cache */
  cache?: HostFactsCache;
  /** The directory whose filesystem `disk` reports: the run's cwd (`~`, `~/…` or absolute). @default '~' */
  diskPath?: string;
  /** Bound of the whole probe, connection included (ms). @default 25_000 */
  timeoutMs?: number;
  /** Pool the probe's connection (a later run to the host reuses it). @default true */
  multiplex?: RunWithSshOptions['multiplex'];
}

/** Every key of {@link ProbeHostOptions}. */
export const PROBE_HOST_OPTION_KEYS = optionKeys<ProbeHostOptions>()({
  agents: true,
  cacheTtlMs: true,
  cache: true,
  diskPath: true,
  timeoutMs: true,
  multiplex: true,
  signal: true,
  executor: true,
  env: true,
  sshPath: true,
  remotePath: true,
  connectionPool: true,
  askpass: true,
});

function checkAgents(agents: readonly string[]): void {
  if (!Array.isArray(agents)) throw new SshWrapError('INVALID_CONFIG', 'agents must be an array of command names', { field: 'agents' });
  for (const agent of agents) {
    // Passed as arguments, so quoting is not the issue: `-x` would be read by `command -v` as an option.
    if (typeof agent !== 'string' || agent === '' || agent.startsWith('-') || /[\0\n\r]/.test(agent)) {
      throw new SshWrapError('INVALID_CONFIG', `Invalid agent name ${JSON.stringify(agent)}`, { field: 'agents', hint: 'A command name or absolute path, not starting with "-".' });
    }
  }
}

/**
 * Learns a host's facts in ONE ssh round trip: one `runWithSsh` of a POSIX `/bin/sh` script
 * (`FACTS_SCRIPT`, so any login shell works) reading hostname, OS, architecture, kernel, CPUs,
 * load, memory, free disk at `diskPath`, NVIDIA GPUs (`nvidia-smi`, if present) and, for each of
 * `agents`, its path on the run's PATH (the remote script's `remotePathLines`, as for real runs)
 * and the first line of `<agent> --version`. Linux and macOS; the source of each field per OS is
 * in docs/fleet.md. `--version` and `nvidia-smi` run in parallel and are killed after 5 s each.
 *
 * Never throws for a reachable host: a missing tool gives a `null` or empty field. Facts are
 * cached per remote id and disk path for `cacheTtlMs` (30 s); a cached entry serves a call only
 * when it knows every agent asked for.
 *
 * @throws {SshWrapError} `INVALID_CONFIG`, `UNSAFE_ARGUMENT`, `REMOTE_NOT_FOUND` for bad input
 *   (nothing spawned); `PROBE_FAILED` when the host was not reachable or the probe did not
 *   finish (`cause`: the `SshRunError` with `errorKind` and `hint`) or for a Windows remote.
 * @example
 * ```ts
 * const facts = await probeHost('gpu-1', store, { agents: ['claude'] });
 * // { hostname: 'gpu-1', os: 'linux', cpus: 16, load1: 0.4, memAvailableBytes: 51e9,
 * //   gpus: [{ index: 0, name: 'NVIDIA A100', memoryTotalBytes: …, … }],
 * //   agents: { claude: { path: '/home/dev/.local/bin/claude', version: '2.0.1 (Claude Code)' } }, … }
 * ```
 */
export async function probeHost(target: FleetTarget, store: SshRemoteStoreAdapter, options: ProbeHostOptions = {}): Promise<HostFacts> {
  assertKnownOptions(options, PROBE_HOST_OPTION_KEYS, 'probeHost options');
  const { agents = [], cacheTtlMs = DEFAULT_FACTS_TTL_MS, cache = defaultHostFactsCache, diskPath = DEFAULT_DISK_PATH, timeoutMs = DEFAULT_PROBE_TIMEOUT_MS, multiplex = true, ...run } = options;
  checkAgents(agents);
  assertNonNegative(cacheTtlMs, 'cacheTtlMs');
  assertNonNegative(timeoutMs, 'timeoutMs');
  if (typeof diskPath !== 'string' || /[\0\n\r]/.test(diskPath)) throw new SshWrapError('INVALID_CONFIG', 'diskPath must be a path', { field: 'diskPath' });
  const { remote, store: pinned, agentSsh } = await resolveTarget(target, store);
  if (remote.remotePlatform === 'windows') {
    throw new SshWrapError('PROBE_FAILED', `probeHost reads POSIX hosts only; ${remote.id} is a Windows remote`, { field: 'remotePlatform' });
  }
  const key = { remoteId: remote.id, diskPath };
  const cached = cache.get(key, cacheTtlMs, agents);
  if (cached) return cached;

  const tag = randomMarkerToken();
  const result = await runWithSsh({ command: '/bin/sh', args: ['-c', FACTS_SCRIPT, 'sshwrap-facts', tag, diskPath, ...agents], cwd: '' }, agentSsh, pinned, {
    ...run,
    multiplex,
    timeoutMs,
    maxBuffer: 1024 * 1024,
  });
  if (result.errorKind || result.timedOut || result.aborted || result.connectionLost || !result.remoteStarted) {
    const cause = new SshRunError(result, `Probe of ${remote.id}`);
    throw new SshWrapError('PROBE_FAILED', cause.shortMessage, { cause, ...(result.hint ? { hint: result.hint } : {}) });
  }
  const facts = parseFactsOutput(result.stdout, tag, agents);
  cache.set(key, facts);
  return facts;
}
