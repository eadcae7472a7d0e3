import { utf8Length } from '../quoting/index.js';
import type { ParsedSshSpawnWrapConfig } from '../schemas/index.js';

/**
 * Prompts up to this many UTF-8 bytes are embedded in the command line; longer ones go to stdin.
 *
 * @example
 * ```ts
 * const goesOnStdin = Buffer.byteLength(prompt) > DEFAULT_PROMPT_STDIN_THRESHOLD; // 4000 UTF-8 bytes
 * ```
 */
export const DEFAULT_PROMPT_STDIN_THRESHOLD = 4000;

/**
 * Whether a prompt is small enough to embed: at most `threshold` UTF-8 bytes. UTF-8 never takes
 * fewer bytes than UTF-16 units, so a long prompt is known too large without scanning it.
 *
 * @example
 * ```ts
 * promptFitsThreshold('héllo', 5); // false: 6 bytes
 * ```
 */
export function promptFitsThreshold(prompt: string, threshold = DEFAULT_PROMPT_STDIN_THRESHOLD): boolean {
  return prompt.length <= threshold && utf8Length(prompt) <= threshold;
}

/**
 * The arguments that carry an embedded prompt: `promptArgs(prompt)` when given, otherwise
 * `-- <prompt>` (or just `<prompt>` with `noPromptSeparator`), so a prompt starting with `-`
 * is never read as a flag.
 *
 * @example
 * ```ts
 * promptWords({ prompt: '-v?' }); // ['--', '-v?']
 * promptWords({ prompt: 'hi', promptArgs: (p) => ['-p', p] }); // ['-p', 'hi']
 * ```
 */
export function promptWords(config: Pick<ParsedSshSpawnWrapConfig, 'prompt' | 'promptArgs' | 'noPromptSeparator'>): string[] {
  const { prompt } = config;
  if (prompt === undefined) return [];
  if (config.promptArgs) return config.promptArgs(prompt);
  return config.noPromptSeparator ? [prompt] : ['--', prompt];
}
