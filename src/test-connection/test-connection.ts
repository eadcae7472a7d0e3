import { SSH_FAILURE_HINTS } from '../classify/index.js';
import { SshWrapError } from '../errors/index.js';
import { randomMarkerToken, runWithSsh, type SshRunResult } from '../exec/index.js';
import { createMemoryStoreAdapter, describeEffectiveRemote, type EffectiveRemote } from '../resolve/index.js';
import { assertKnownOptions, optionKeys, parseSshRemoteConfig, type SshRemoteConfig, type SshRemoteConfigInput } from '../schemas/index.js';
import { DEFAULT_SSH_OPTIONS, loginTimeoutSeconds, mergeSshOptions, type RemoteEnvironment } from '../wrap/index.js';
import { parseProbeOutput, PROBE_SCRIPT, type ProbeReport } from './probe.js';
import type { SshRemoteTestResult, TestConnectionOptions } from './types.js';

const TIMEOUT_MARGIN_MS = 10_000;

const TEST_CONNECTION_OPTION_KEYS = optionKeys<TestConnectionOptions>()({
  timeoutMs: true,
  signal: true,
  executor: true,
  sshPath: true,
  remotePath: true,
  remoteEnvironment: true,
  shell: true,
  multiplex: true,
  connectionPool: true,
  managedSshOptions: true,
  allowUnsafeOptions: true,
  sshConfigFile: true,
  env: true,
  onEvent: true,
});

/**
 * ConnectTimeout as ssh will get it (merged like buildSshArgs does: one value, later layers win),
 * once per connection: every ProxyJump hop connects, with the same ConnectTimeout, before the host.
 */
function connectTimeoutMs(remote: SshRemoteConfig, options: TestConnectionOptions): number {
  const merged = mergeSshOptions([DEFAULT_SSH_OPTIONS, options.managedSshOptions, remote.customOptions]);
  const value = Number(merged.find(([name]) => name.toLowerCase() === 'connecttimeout')?.[1]);
  const perConnection = Number.isFinite(value) && value > 0 ? value * 1000 : 10_000;
  return perConnection * (1 + (remote.jumpHosts?.length ?? 0));
}

function failed(error: string, extra: Partial<SshRemoteTestResult> = {}): SshRemoteTestResult {
  return { success: false, message: error, error, ...extra };
}

function fromRun(
  result: SshRunResult,
  report: ProbeReport,
  agentCommand: string | undefined,
  effective: EffectiveRemote | undefined,
  timeoutMs: number,
): SshRemoteTestResult {
  if (result.aborted) return failed('Connection test cancelled');
  if (result.timedOut && !result.remoteStarted) {
    return failed(`No answer from the remote within ${timeoutMs} ms`, { errorKind: 'timeout', hint: SSH_FAILURE_HINTS.timeout });
  }
  if (result.errorKind) return failed(result.errorMessage ?? result.errorKind, { errorKind: result.errorKind, hint: result.hint });
  if (result.timedOut) {
    return failed('Connection test timed out after the remote shell started', { errorKind: 'timeout', hint: SSH_FAILURE_HINTS.timeout });
  }
  if (result.remoteExitCode !== 0 || report.hostname === undefined || report.user === undefined) {
    const detail = result.stderr.trim().split('\n').at(-1);
    return failed(`The remote shell did not complete the probe${detail ? `: ${detail}` : ''}`, { errorKind: 'unknown', hint: SSH_FAILURE_HINTS.unknown });
  }
  const details: NonNullable<SshRemoteTestResult['details']> = {
    hostname: report.hostname,
    username: report.user,
    platform: report.os ?? '',
    arch: report.arch ?? '',
    ...(effective ? { effectiveRemote: effective } : {}),
  };
  const where = `${details.hostname} as ${details.username} (${details.platform} ${details.arch})`;
  if (agentCommand === undefined) return { success: true, message: `Connected to ${where}`, details };
  if (report.agentPath) {
    return { success: true, message: `Connected to ${where}; ${agentCommand} is ${report.agentPath}`, details: { ...details, agentAvailable: true, agentPath: report.agentPath } };
  }
  return {
    success: true,
    message: `Connected to ${where}, but ${agentCommand} was not found on the remote PATH`,
    details: { ...details, agentAvailable: false },
    errorKind: 'agent-not-found',
    hint: SSH_FAILURE_HINTS['agent-not-found'],
  };
}

/**
 * Checks a remote in ONE ssh round trip: connects, authenticates, and reports the remote host
 * name, login name, OS and architecture, plus where `agentCommand` is on the remote PATH (the
 * same augmented PATH real runs get, through the same remote script, under any login shell).
 *
 * Never throws: bad configs, ssh failures, timeouts and cancellation all come back as
 * `success: false` with `error`, and (for ssh failures) `errorKind` and `hint`. Never runs
 * longer than `timeoutMs` (default ConnectTimeout + 10 s).
 *
 * @example
 * ```ts
 * const result = await testConnection({ id: 'gpu-1', host: 'gpu.example.com', username: 'dev', privateKeyPath: '~/.ssh/id_ed25519' }, 'claude');
 * if (result.success) console.log(result.message, result.details?.agentAvailable);
 * else console.error(result.error, '\n', result.hint);
 * ```
 */
export async function testConnection(
  config: SshRemoteConfigInput | SshRemoteConfig,
  agentCommand?: string,
  options: TestConnectionOptions = {},
): Promise<SshRemoteTestResult> {
  try {
    return await probe(config, agentCommand, options);
  } catch (error) {
    if (error instanceof SshWrapError) return failed(error.message, error.hint ? { hint: error.hint } : {});
    return failed(`Connection test failed: ${error instanceof Error ? error.message : String(error)}`, { errorKind: 'unknown', hint: SSH_FAILURE_HINTS.unknown });
  }
}

async function probe(config: SshRemoteConfigInput | SshRemoteConfig, agentCommand: string | undefined, options: TestConnectionOptions): Promise<SshRemoteTestResult> {
  assertKnownOptions(options, TEST_CONNECTION_OPTION_KEYS, 'testConnection options');
  // `passphrase` is non-enumerable on parsed remotes, so a spread alone would drop it.
  const remote = parseSshRemoteConfig({ ...config, passphrase: config.passphrase, enabled: true });
  if (agentCommand !== undefined && (agentCommand === '' || agentCommand.startsWith('-') || agentCommand.includes('\0'))) {
    return failed(`Invalid agent command ${JSON.stringify(agentCommand)}`);
  }
  const tag = randomMarkerToken();
  const args = ['-c', PROBE_SCRIPT, 'sshwrap-probe', tag, ...(agentCommand === undefined ? [] : [agentCommand])];
  const effective = describeEffectiveRemote(remote, { configFile: options.sshConfigFile, sshPath: options.sshPath, executor: options.executor }).catch(() => undefined);
  const loginSeconds = loginTimeoutSeconds(options.remoteEnvironment);
  const timeoutMs = options.timeoutMs ?? connectTimeoutMs(remote, options) + TIMEOUT_MARGIN_MS + (loginSeconds ?? 0) * 1000;
  const store = createMemoryStoreAdapter([remote]);
  const runProbe = (remoteEnvironment: RemoteEnvironment | undefined): Promise<SshRunResult> =>
    runWithSsh({ command: '/bin/sh', args, cwd: '' }, { enabled: true, remoteId: remote.id }, store, {
      timeoutMs,
      remoteEnvironment,
      signal: options.signal,
      executor: options.executor,
      sshPath: options.sshPath,
      remotePath: options.remotePath,
      shell: options.shell,
      managedSshOptions: options.managedSshOptions,
      multiplex: options.multiplex,
      connectionPool: options.connectionPool,
      allowUnsafeOptions: options.allowUnsafeOptions,
      sshConfigFile: options.sshConfigFile,
      env: options.env,
      onEvent: options.onEvent,
      maxBuffer: 1024 * 1024,
      // The probe ends by itself; a stuck one is only ever a few shell builtins.
      killRemote: false,
    });
  // With 'login', the default environment is probed alongside (no extra wait): it tells whether
  // the login environment is what finds the agent.
  const [result, defaultRun] = await Promise.all([
    runProbe(options.remoteEnvironment),
    loginSeconds !== undefined && agentCommand !== undefined ? runProbe(undefined) : undefined,
  ]);
  const report = parseProbeOutput(result.stdout, tag);
  const outcome = fromRun(result, report, agentCommand, await effective, timeoutMs);
  if (agentCommand === undefined || !outcome.details) return outcome;
  const onDefaultPath = Boolean(defaultRun === undefined ? report.agentPath : !defaultRun.errorKind && parseProbeOutput(defaultRun.stdout, tag).agentPath);
  outcome.details.agentFoundBy = onDefaultPath ? 'path' : report.agentPath ? 'login' : null;
  return outcome;
}
