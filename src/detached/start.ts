import { randomBytes } from 'node:crypto';
import { SshWrapError } from '../errors/index.js';
import { runWithSsh, spawnWithSsh } from '../exec/index.js';
import { checkAttachments, stageAttachments } from '../files/attachments.js';
import { resolveSshRemote, type SshRemoteStoreAdapter } from '../resolve/index.js';
import { assertKnownOptions, parseSshSpawnWrapConfig, type AgentSshRemoteConfig, type SshSpawnWrapConfig } from '../schemas/index.js';
import { assertRunId, buildDetachedLauncher, DEFAULT_DETACHED_RUN_DIR, runDirWord } from '../wrap/detached-script.js';
import { DetachedRunError } from './error.js';
import { connectionOptions, failIfNotRun } from './remote.js';
import { START_DETACHED_OPTION_KEYS, type DetachedRemoteOptions, type DetachedRun, type StartDetachedOptions } from './types.js';

/**
 * A fresh run id: time-ordered (base-36 milliseconds) plus 48 random bits.
 *
 * @example
 * ```ts
 * newRunId(); // 'r-mf3k9x2a-3f9c0a1b2c3d'
 * ```
 */
export function newRunId(): string {
  return `r-${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
}

/**
 * Starts `config` on the remote as a detached run that outlives this process and the
 * connection: the agent runs in its own session on the remote, its stdout and stderr go to a
 * private run directory (0700, `~/.sshwrap/runs/<runId>/` unless `runDir` says otherwise), with
 * its pid, the pid's start time and, when it ends, its exit status. Read it back with
 * {@link attachDetached}, {@link detachedStatus}, {@link listDetached}.
 *
 * The prompt and env are delivered before the run detaches, exactly as `runWithSsh` delivers
 * them (secrets over ssh's stdin, never on an argv); a prompt that goes over stdin is kept in a
 * 0600 file only until the run's wrapper has opened it as the agent's stdin, then removed.
 * Resolves once the agent's wrapper runs and has recorded its pid.
 *
 * `attachments` (see `AttachmentOptions`) are uploaded before the launch into
 * `<runDir>/.<runId>.attachments/` (0700, files 0600) and removed by `pruneDetached` with the run,
 * or at once when the run does not start.
 *
 * @throws {SshWrapError} bad input (config, options, `runId`, `runDir`; a disabled or local agentSsh).
 *   `ATTACHMENT_TOO_LARGE` before anything is sent.
 * @throws {RemoteFileError} when an attachment could not be uploaded (`ESSH`, `ENOSPC`, …).
 * @throws {DetachedRunError} `not-started` (command not found, run id taken, run dir not
 *   writable) or `connection` (the remote could not be reached).
 * @example
 * ```ts
 * const run = await startDetached(
 *   { command: 'claude', args: ['--print'], cwd: '~/app', prompt: 'Fix the flaky test' },
 *   { enabled: true, remoteId: 'gpu-1' },
 *   store,
 *   { secretEnv: { ANTHROPIC_API_KEY: key } },
 * );
 * // later, from any process:
 * const result = await attachDetached(run, store, { onStdout: (t) => process.stdout.write(t) });
 * ```
 */
export async function startDetached(
  config: SshSpawnWrapConfig,
  agentSsh: AgentSshRemoteConfig | null | undefined,
  store: SshRemoteStoreAdapter,
  options: StartDetachedOptions = {},
): Promise<DetachedRun> {
  assertKnownOptions(options, START_DETACHED_OPTION_KEYS, 'startDetached options');
  if (!agentSsh || !agentSsh.enabled || agentSsh.remoteId == null) {
    throw new SshWrapError('INVALID_CONFIG', 'startDetached needs an enabled agentSsh with a remoteId: detached runs are remote only', { field: 'agentSsh' });
  }
  const parsed = parseSshSpawnWrapConfig(config);
  const binary = parsed.agentBinaryName ?? parsed.command;
  if (binary.startsWith('-')) {
    throw new SshWrapError('UNSAFE_ARGUMENT', 'command must not start with "-" (the remote shell would read it as an option)', { field: 'command' });
  }
  const { runId = newRunId(), secretEnv, envOnStdin, remotePath, remoteEnvironment, promptStdinThreshold, maxCommandBytes, localCwd, attachments, attachmentArgs, maxAttachmentBytes, ...remoteOptions } = options;
  assertRunId(runId);
  runDirWord(options.runDir);
  const launcher = buildDetachedLauncher({ runId, runDir: options.runDir });
  // The launcher is POSIX sh: refused up front for a Windows remote rather than failing there.
  if ((await resolveSshRemote(agentSsh, store))?.remotePlatform === 'windows') {
    throw new SshWrapError('INVALID_CONFIG', 'Detached runs need a POSIX remote (sh, setsid or perl); this remote is Windows', { field: 'remotePlatform' });
  }
  const attachmentOptions = { attachments, attachmentArgs, maxAttachmentBytes };
  // Checked (names, sizes) even without files, so a bad option is refused like anywhere else.
  if (attachments === undefined) await checkAttachments(attachmentOptions);
  // Uploaded before the launch into <runDir>/.<runId>.attachments (0700), which pruneDetached
  // removes together with the run; removed at once if the run does not start.
  const { config: withAttachments, staged } =
    attachments === undefined
      ? { config: parsed, staged: { paths: [], cleanup: async () => {} } }
      : await stageAttachments(spawnWithSsh, parsed, agentSsh, store, { ...connectionOptions(remoteOptions), ...attachmentOptions }, { base: options.runDir ?? DEFAULT_DETACHED_RUN_DIR, name: `.${runId}.attachments` });
  try {
    return await launch(parseSshSpawnWrapConfig(withAttachments), binary, launcher, runId, agentSsh as AgentSshRemoteConfig & { remoteId: string }, store, {
      remoteOptions,
      secretEnv,
      envOnStdin,
      remotePath,
      remoteEnvironment,
      promptStdinThreshold,
      maxCommandBytes,
      localCwd,
    });
  } catch (error) {
    await staged.cleanup();
    throw error;
  }
}

async function launch(
  parsed: ReturnType<typeof parseSshSpawnWrapConfig>,
  binary: string,
  launcher: string,
  runId: string,
  agentSsh: AgentSshRemoteConfig & { remoteId: string },
  store: SshRemoteStoreAdapter,
  rest: Pick<StartDetachedOptions, 'secretEnv' | 'envOnStdin' | 'remotePath' | 'remoteEnvironment' | 'promptStdinThreshold' | 'maxCommandBytes' | 'localCwd'> & { remoteOptions: DetachedRemoteOptions },
): Promise<DetachedRun> {
  const { remoteOptions, secretEnv, envOnStdin, remotePath, remoteEnvironment, promptStdinThreshold, maxCommandBytes, localCwd } = rest;
  // The agent becomes the launcher's arguments; the prompt (as words or on stdin), cwd and env
  // are handled by the normal wrap exactly as for an attached run.
  const launchConfig: SshSpawnWrapConfig = {
    command: '/bin/sh',
    args: ['-c', launcher, 'sshwrap', binary, ...parsed.args],
    cwd: parsed.cwd,
    ...(parsed.prompt !== undefined ? { prompt: parsed.prompt } : {}),
    ...(parsed.customEnvVars ? { customEnvVars: parsed.customEnvVars } : {}),
    ...(parsed.promptArgs ? { promptArgs: parsed.promptArgs } : {}),
    ...(parsed.noPromptSeparator !== undefined ? { noPromptSeparator: parsed.noPromptSeparator } : {}),
  };
  const result = await runWithSsh(launchConfig, agentSsh, store, {
    ...connectionOptions(remoteOptions),
    ...(secretEnv !== undefined ? { secretEnv } : {}),
    ...(envOnStdin !== undefined ? { envOnStdin } : {}),
    ...(remotePath !== undefined ? { remotePath } : {}),
    ...(remoteEnvironment !== undefined ? { remoteEnvironment } : {}),
    ...(promptStdinThreshold !== undefined ? { promptStdinThreshold } : {}),
    ...(maxCommandBytes !== undefined ? { maxCommandBytes } : {}),
    ...(localCwd !== undefined ? { localCwd } : {}),
  });
  // The connection worked; the remote script refused to start the launcher.
  if (result.errorKind === 'cwd-missing' || result.errorKind === 'login-env-timeout' || result.errorKind === 'login-env-failed') {
    throw new DetachedRunError('not-started', result.errorMessage ?? result.errorKind, { errorKind: result.errorKind, hint: result.hint });
  }
  failIfNotRun(result, 'startDetached');
  const line = /^sshwrap-detached (\d+) (\S+) (\S+) (\d+)$/m.exec(result.stdout);
  if (result.remoteExitCode !== 0 || !line) {
    const why = result.stderr.trim().split('\n').pop() || `the launcher exited ${result.remoteExitCode}`;
    throw new DetachedRunError('not-started', `startDetached: ${why}`);
  }
  return { runId, remoteId: agentSsh.remoteId, remotePid: Number(line[1]), startedAt: line[3]! };
}
