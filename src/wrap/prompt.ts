import type { ParsedSshSpawnWrapConfig } from '../schemas/index.js';

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
