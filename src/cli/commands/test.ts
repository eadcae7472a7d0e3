import { testConnection, type SshRemoteTestResult } from '../../test-connection/index.js';
import { loginEnvFlags, parseCommandLine } from '../args.js';
import { EXIT } from '../exit-codes.js';
import { HELP } from '../help.js';
import type { CliIo, CliSignal } from '../io.js';
import { pickRemote } from '../pick-remote.js';
import { oneLine } from '../report-error.js';
import { UsageError } from '../usage-error.js';

const FLAGS = {
  agent: { type: 'string' },
  remotes: { type: 'string' },
  'ssh-config': { type: 'string' },
  'login-env': { type: 'boolean' },
  'login-timeout': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Whether a test result counts as passed: connected, and the agent found when one was asked for.
 *
 * @example
 * ```ts
 * testPassed({ success: true, message: 'Connected', details: { ...d, agentAvailable: false } }, 'claude'); // false
 * ```
 */
export function testPassed(result: SshRemoteTestResult, agent: string | undefined): boolean {
  return result.success && (agent === undefined || result.details?.agentAvailable === true);
}

function readable(result: SshRemoteTestResult, agent: string | undefined, loginTried: boolean): string {
  const passed = testPassed(result, agent);
  const lines = [`${passed ? 'OK' : 'FAILED'}: ${oneLine(result.success ? result.message : result.error ?? result.message)}`];
  const details = result.details;
  if (details?.effectiveRemote) {
    const e = details.effectiveRemote;
    lines.push(`  login:  ${e.user}@${e.hostname}:${e.port} (${e.source === 'ssh-config' ? 'from ssh -G' : 'from the remote config'})`);
  }
  if (details && agent !== undefined) lines.push(`  agent:  ${agent} ${details.agentAvailable ? `-> ${details.agentPath ?? 'found'}` : 'not found on the remote PATH'}`);
  if (loginTried && details?.agentFoundBy !== undefined) lines.push(`  found:  ${details.agentFoundBy === null ? 'in no environment tried' : details.agentFoundBy === 'path' ? 'in the default environment' : 'only in the login environment'}`);
  if (result.errorKind) lines.push(`  kind:   ${result.errorKind}`);
  if (result.hint) lines.push(`  hint:   ${oneLine(result.hint)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * `sshwrap test <remote> [--agent NAME] [--json]`: one connection test (testConnection).
 * Exit 0 when connected (and the agent found, if asked), 1 otherwise.
 *
 * @example
 * ```ts
 * await testCommand(['gpu', '--agent', 'claude'], io); // 0 connected, 1 failed
 * ```
 */
export async function testCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(argv, FLAGS, 'test');
  if (parsed.values.help) {
    io.stdout.write(HELP.test);
    return EXIT.OK;
  }
  const [name, ...extra] = [...parsed.positionals, ...(parsed.rest ?? [])];
  if (name === undefined) throw new UsageError('test: missing <remote>', 'test');
  if (extra.length > 0) throw new UsageError(`test: unexpected argument "${extra[0]}"`, 'test');
  const agent = parsed.values.agent;
  if (agent !== undefined && (agent === '' || agent.startsWith('-'))) throw new UsageError(`test: --agent expects a command name, got "${agent}"`, 'test');

  const remoteEnvironment = loginEnvFlags(parsed.values['login-env'], parsed.values['login-timeout'], 'test');
  const picked = await pickRemote(name, { remotesFile: parsed.values.remotes, sshConfigFile: parsed.values['ssh-config'], env: io.env });
  const controller = new AbortController();
  let interruptedBy: CliSignal | undefined;
  // testConnection is bounded by ConnectTimeout + margin and stops on abort; no extra timer needed.
  const unsubscribe = io.onSignal((signal) => {
    interruptedBy ??= signal;
    controller.abort();
  });
  let result: SshRemoteTestResult;
  try {
    const sshConfigFile = parsed.values['ssh-config'];
    result = await testConnection(picked.remote, agent, {
      signal: controller.signal,
      ...(remoteEnvironment !== undefined ? { remoteEnvironment } : {}),
      ...(sshConfigFile !== undefined && picked.remote.useSshConfig ? { sshConfigFile } : {}),
    });
  } finally {
    unsubscribe();
  }
  if (interruptedBy) {
    if (interruptedBy !== 'SIGPIPE') io.stderr.write('sshwrap: interrupted\n');
    return EXIT[interruptedBy];
  }
  io.stdout.write(parsed.values.json ? `${JSON.stringify(result, null, 2)}\n` : readable(result, agent, remoteEnvironment !== undefined));
  return testPassed(result, agent) ? EXIT.OK : EXIT.FAILURE;
}
