/**
 * Electron main process: sshwrap behind an IPC handler.
 *
 * Shows:
 * - `createSshRemoteStoreAdapter` over an electron-store-like settings object (remotes live under
 *   `sshRemotes`, as Maestro keeps them); `setSshRemotes` validates and never writes a passphrase;
 * - an `ipcMain.handle('agent:run', …)`-style handler that runs an agent on the remote the renderer
 *   chose and returns an IPC-safe reply: plain data only (structured-clone-able: no functions, no
 *   class instances), failures as `{ code | kind, message, hint }` instead of thrown errors, which
 *   Electron would flatten to a bare message;
 * - an `agent:cancel` handler (an AbortController per run) and `closeAll()` on `before-quit`.
 *
 * Run: node --import tsx examples/electron-main.ts <remotes.json> [remoteId]
 * (`remotes.json`: an array of remotes, like `sshwrap --remotes`). Without Electron, `main()` calls
 * the handlers the way `ipcRenderer.invoke` would. In an app:
 *
 *   ipcMain.handle('agent:run', (_event, request) => handleAgentRun(request));
 *   ipcMain.handle('agent:cancel', (_event, runId) => handleAgentCancel(runId));
 *   app.on('before-quit', () => void closeAll());
 */
import fs from 'node:fs';
import { closeAll, createSshRemoteStoreAdapter, runWithSsh, SshWrapError, type SshRemoteConfigInput } from 'sshwrap';

/** Stands in for `new Store()` from electron-store (or conf): the two methods sshwrap uses. */
class SettingsStore {
  private readonly data: Record<string, unknown>;
  constructor(defaults: Record<string, unknown> = {}) {
    this.data = structuredClone(defaults);
  }
  get(key: string, defaultValue?: unknown): unknown {
    return key in this.data ? structuredClone(this.data[key]) : defaultValue;
  }
  set(key: string, value: unknown): void {
    // electron-store serialises to JSON: what it keeps is plain data.
    this.data[key] = JSON.parse(JSON.stringify(value));
  }
}

/** What the renderer sends. */
export interface AgentRunRequest {
  runId: string;
  remoteId: string | null; // null: run locally
  prompt: string;
  cwd: string;
  timeoutMs?: number;
}

/** What goes back over IPC: only strings, numbers, booleans, null, plain objects and arrays. */
export type AgentRunReply =
  | { ok: true; output: string; exitCode: number | null; durationMs: number }
  | { ok: false; error: { kind: string; message: string; hint: string | null; field: string | null }; output: string; exitCode: number | null };

const settings = new SettingsStore();
const remotes = createSshRemoteStoreAdapter(settings);
const running = new Map<string, AbortController>();

/** The agent: a stand-in for `claude --print` that answers with the prompt's length and the host it ran on. */
function agentCommand(prompt: string, cwd: string) {
  return {
    command: 'sh',
    args: ['-c', 'p=${1-$(cat)}; printf "%s answered a %s-character prompt" "$(hostname)" "${#p}"', 'agent'],
    noPromptSeparator: true,
    prompt,
    cwd,
  };
}

/** `ipcMain.handle('agent:run', (_event, request) => handleAgentRun(request))`. Never throws. */
export async function handleAgentRun(request: AgentRunRequest): Promise<AgentRunReply> {
  const controller = new AbortController();
  running.set(request.runId, controller);
  try {
    const agentSsh = { enabled: request.remoteId !== null, remoteId: request.remoteId };
    const result = await runWithSsh(agentCommand(request.prompt, request.cwd), agentSsh, remotes, {
      timeoutMs: request.timeoutMs ?? 120_000,
      signal: controller.signal,
      multiplex: true, // an app runs many agents on the same remotes: reuse one connection per remote
    });
    if (result.errorKind) {
      return { ok: false, error: { kind: result.errorKind, message: result.errorMessage ?? result.errorKind, hint: result.hint ?? null, field: null }, output: result.stdout, exitCode: result.exitCode };
    }
    const stopped = result.aborted ? 'aborted' : result.timedOut ? 'timeout' : result.connectionLost ? 'connection-lost' : null;
    if (stopped) return { ok: false, error: { kind: stopped, message: `The run ended early: ${stopped}`, hint: null, field: null }, output: result.stdout, exitCode: result.exitCode };
    const exitCode = result.remoteExitCode ?? result.exitCode;
    if (exitCode !== 0) return { ok: false, error: { kind: 'exit-status', message: `The agent exited with ${exitCode}`, hint: result.stderr.trim() || null, field: null }, output: result.stdout, exitCode };
    return { ok: true, output: result.stdout, exitCode, durationMs: Math.round(result.durationMs) };
  } catch (error) {
    // Bad input (an unknown remote, an unsafe argument): SshWrapError, turned into data.
    if (error instanceof SshWrapError) return { ok: false, error: { kind: error.code, message: error.message, hint: error.hint ?? null, field: error.field ?? null }, output: '', exitCode: null };
    return { ok: false, error: { kind: 'internal', message: error instanceof Error ? error.message : String(error), hint: null, field: null }, output: '', exitCode: null };
  } finally {
    running.delete(request.runId);
  }
}

/** `ipcMain.handle('agent:cancel', (_event, runId) => handleAgentCancel(runId))`. */
export function handleAgentCancel(runId: string): boolean {
  running.get(runId)?.abort();
  return running.has(runId);
}

async function main(): Promise<void> {
  const [remotesFile = process.env.SSHWRAP_REMOTES, remoteIdArg] = process.argv.slice(2);
  if (!remotesFile) throw new Error('usage: electron-main.ts <remotes.json> [remoteId]');
  // What a settings window would do: save the remotes (a passphrase typed in is never persisted).
  const fromFile = JSON.parse(fs.readFileSync(remotesFile, 'utf8')) as SshRemoteConfigInput[];
  remotes.setSshRemotes(fromFile.map((remote) => ({ ...remote, passphrase: 'typed-in-the-ui' })));
  console.log(`saved ${fromFile.length} remote(s); passphrase persisted: ${JSON.stringify(settings.get('sshRemotes')).includes('passphrase')}`);
  const remoteId = remoteIdArg ?? fromFile[0]!.id;

  const replies: Record<string, AgentRunReply | boolean> = {};
  replies.remote = await handleAgentRun({ runId: 'r1', remoteId, prompt: 'Summarise the repo', cwd: '~' });
  replies.local = await handleAgentRun({ runId: 'r2', remoteId: null, prompt: 'Same agent, SSH off', cwd: process.cwd() });
  replies.unknownRemote = await handleAgentRun({ runId: 'r3', remoteId: 'no-such-remote', prompt: 'x', cwd: '~' });
  replies.missingCwd = await handleAgentRun({ runId: 'r4', remoteId, prompt: 'x', cwd: '/no/such/dir' });
  // The renderer's Cancel button while a run is in flight.
  const slow = handleAgentRun({ runId: 'r5', remoteId, prompt: 'x', cwd: '~' });
  replies.cancelled = handleAgentCancel('r5');
  replies.cancelledReply = await slow;

  for (const [name, reply] of Object.entries(replies)) {
    // What Electron does to every reply: structured clone. A function or class instance would throw here.
    structuredClone(reply);
    console.log(`${name}: ${JSON.stringify(reply)}`);
  }
  await closeAll(); // app.on('before-quit'): no ControlMaster outlives the app
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
