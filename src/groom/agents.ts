import { SshWrapError } from '../errors/index.js';

/**
 * How to run an agent CLI non-interactively: one prompt in, one answer on stdout.
 *
 * @example
 * ```ts
 * const aider: AgentDefinition = { binary: 'aider', batchArgs: ['--yes-always', '--no-stream'], promptArgs: (p) => ['--message', p] };
 * ```
 */
export interface AgentDefinition {
  /** Binary name looked up on the (remote) PATH. */
  binary: string;
  /** Arguments that select batch (print-and-exit) mode. */
  batchArgs: readonly string[];
  /**
   * How a small prompt is passed as arguments. @default `['--', prompt]`. A prompt too large
   * for the command line is sent on stdin instead (without these arguments), which every
   * built-in agent reads as the prompt in batch mode.
   */
  promptArgs?: (prompt: string) => string[];
}

const registry = new Map<string, AgentDefinition>();

function validate(type: string, definition: AgentDefinition): AgentDefinition {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(type)) {
    throw new SshWrapError('INVALID_CONFIG', `agent type ${JSON.stringify(type)} must match [A-Za-z0-9][A-Za-z0-9._-]*`, { field: 'agentType' });
  }
  if (typeof definition.binary !== 'string' || definition.binary === '' || definition.binary.startsWith('-')) {
    throw new SshWrapError('INVALID_CONFIG', `agent ${type}: binary must be a non-empty name not starting with "-"`, { field: 'binary' });
  }
  if (!Array.isArray(definition.batchArgs) || definition.batchArgs.some((arg) => typeof arg !== 'string')) {
    throw new SshWrapError('INVALID_CONFIG', `agent ${type}: batchArgs must be an array of strings`, { field: 'batchArgs' });
  }
  return Object.freeze({ ...definition, batchArgs: Object.freeze([...definition.batchArgs]) });
}

/**
 * Adds (or replaces) an agent type for {@link groomContext}. Returns a function that restores
 * what was registered before.
 *
 * @throws {SshWrapError} `INVALID_CONFIG` for a malformed type name or definition.
 * @example
 * ```ts
 * registerAgent('qwen-code', { binary: 'qwen', batchArgs: [], promptArgs: (p) => [`--prompt=${p}`] });
 * await groomContext('/srv/app', 'qwen-code', 'Summarise the last session', { sshRemoteConfig, store });
 * ```
 */
export function registerAgent(type: string, definition: AgentDefinition): () => void {
  const previous = registry.get(type);
  registry.set(type, validate(type, definition));
  return () => {
    if (previous) registry.set(type, previous);
    else registry.delete(type);
  };
}

/**
 * The definition registered for `type`, or `undefined`.
 *
 * @example
 * ```ts
 * getAgent('claude-code'); // { binary: 'claude', batchArgs: ['--print'] }
 * ```
 */
export function getAgent(type: string): AgentDefinition | undefined {
  return registry.get(type);
}

/**
 * Registered agent types, built-ins first.
 *
 * @example
 * ```ts
 * listAgents(); // ['claude-code', 'codex', 'gemini-cli', ...]
 * ```
 */
export function listAgents(): string[] {
  return [...registry.keys()];
}

/**
 * The agent types sshwrap knows out of the box:
 * - `claude-code`: `claude --print -- <prompt>` (reads the prompt from stdin when none is given);
 * - `codex`: `codex exec -- <prompt>` (reads stdin when the prompt is omitted);
 * - `gemini-cli`: `gemini --prompt=<prompt>` (the `=` form, so a prompt starting with `-` is not
 *   read as a flag; with the prompt on stdin and no flag, gemini runs headless on stdin).
 *
 * @example
 * ```ts
 * BUILTIN_AGENTS['codex'].batchArgs; // ['exec']
 * ```
 */
export const BUILTIN_AGENTS: Readonly<Record<string, AgentDefinition>> = Object.freeze({
  'claude-code': { binary: 'claude', batchArgs: ['--print'] },
  codex: { binary: 'codex', batchArgs: ['exec'] },
  'gemini-cli': { binary: 'gemini', batchArgs: [], promptArgs: (prompt: string) => [`--prompt=${prompt}`] },
});

for (const [type, definition] of Object.entries(BUILTIN_AGENTS)) registry.set(type, validate(type, definition));
