import { stat } from 'node:fs/promises';
import { classifySshFailure, SSH_FAILURE_HINTS, type SshFailure, type SshFailureKind } from '../classify/index.js';
import type { SshWrapError } from '../errors/index.js';
import type { SpawnExecutor } from '../process/executor.js';
import { resolveIdentityFiles } from '../resolve/index.js';
import type { RemoteScriptEvent, SshSpawnWrapResult } from '../wrap/index.js';
import { isEncryptedPrivateKey } from './private-key.js';
import { signalFromShellStatus, type SshRunResult } from './result.js';
import type { SpawnPlan } from './start.js';

/** What the remote script reported through its status markers. */
export interface RemoteStatus {
  markers: Set<RemoteScriptEvent>;
  remotePid?: number;
  remoteExitCode?: number;
  /** stderr before the `started` marker: ssh's own messages and the remote script's. */
  preStartStderr: string;
}

/** A result for a run that never got a process. */
export function notStartedResult(wrapped: SshSpawnWrapResult, extra: Partial<SshRunResult>): SshRunResult {
  return {
    exitCode: null,
    signal: null,
    stdout: '',
    stderr: '',
    loginOutput: { stdout: '', stderr: '' },
    wrapped,
    remoteStarted: false,
    timedOut: false,
    aborted: false,
    idleTimedOut: false,
    attempts: 1,
    connectionLost: false,
    stdoutTruncated: false,
    stderrTruncated: false,
    durationMs: 0,
    ...extra,
  };
}

/** Why a plan could not be spawned. Locally, Node reports a missing cwd as ENOENT of the command. */
export async function spawnFailure(plan: SpawnPlan, error: SshWrapError): Promise<SshFailure> {
  const code = (error.cause as NodeJS.ErrnoException | undefined)?.code;
  if (plan.local && code === 'ENOENT') {
    const cwdExists = await stat(plan.cwd).then((s) => s.isDirectory(), () => false);
    const kind: SshFailureKind = cwdExists ? 'agent-not-found' : 'cwd-missing';
    const message = cwdExists ? `Command not found: ${plan.command}` : `Working directory not found: ${plan.cwd}`;
    return { kind, message, hint: SSH_FAILURE_HINTS[kind] };
  }
  return { kind: 'spawn-failed', message: error.message, hint: plan.local ? (error.hint ?? SSH_FAILURE_HINTS['spawn-failed']) : SSH_FAILURE_HINTS['spawn-failed'] };
}

/**
 * Completes a remote run's result from the status markers: the remote exit status when the
 * command ran, otherwise why it did not (only ssh's own stderr is classified).
 */
export async function remoteOutcome(
  result: SshRunResult,
  status: RemoteStatus,
  privateKeyPath: string | undefined,
  timeoutMs: number | undefined,
  executor?: SpawnExecutor,
): Promise<SshRunResult> {
  if (status.remotePid !== undefined) result.remotePid = status.remotePid;
  if (status.remoteExitCode !== undefined) {
    result.remoteExitCode = status.remoteExitCode;
    const remoteSignal = signalFromShellStatus(status.remoteExitCode);
    if (remoteSignal) result.remoteSignal = remoteSignal;
  }
  if (result.remoteStarted) {
    result.connectionLost = status.remoteExitCode === undefined && !result.timedOut && !result.aborted;
    return result;
  }
  if (result.aborted) return result;
  if (result.timedOut) {
    return { ...result, errorKind: 'timeout', errorMessage: `The command did not start within timeoutMs (${timeoutMs} ms)`, hint: SSH_FAILURE_HINTS.timeout };
  }
  const failure = await classifyWithKey(result.exitCode, status, privateKeyPath, result.wrapped, executor);
  return { ...result, errorKind: failure.kind, errorMessage: failure.message, hint: failure.hint };
}

async function classifyWithKey(
  exitCode: number | null,
  status: RemoteStatus,
  privateKeyPath: string | undefined,
  wrapped: SshSpawnWrapResult,
  executor: SpawnExecutor | undefined,
): Promise<SshFailure> {
  const input = { exitCode, stderr: status.preStartStderr, markers: status.markers };
  const first = classifySshFailure(input);
  // Only worth reading key files when ssh said "Permission denied": that is all it says for an
  // encrypted key under BatchMode.
  if (first.kind !== 'auth-failed') return first;
  if (privateKeyPath && (await isEncryptedPrivateKey(privateKeyPath))) return classifySshFailure({ ...input, keyEncrypted: true });
  const encrypted = await encryptedConfiguredKey(wrapped, executor);
  if (!encrypted) return first;
  const failure = classifySshFailure({ ...input, keyEncrypted: true });
  return { ...failure, message: `${failure.message} (${encrypted} is encrypted)` };
}

/**
 * A key ssh tried that is encrypted, found among the identity files ssh itself resolves for this
 * run (`ssh -G` with the run's arguments: ~/.ssh/config `IdentityFile`, `-i`, ssh's defaults),
 * or `undefined`. Never throws: it only refines a failure that is already known.
 */
async function encryptedConfiguredKey(wrapped: SshSpawnWrapResult, executor: SpawnExecutor | undefined): Promise<string | undefined> {
  const remote = wrapped.sshRemoteUsed;
  if (!remote) return undefined;
  let files: string[];
  try {
    files = await resolveIdentityFiles(remote.host, wrapped.args, { executor, sshPath: wrapped.command, timeoutMs: 5_000 });
  } catch {
    return undefined;
  }
  for (const file of files) if (await isEncryptedPrivateKey(file)) return file;
  return undefined;
}
