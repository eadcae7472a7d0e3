import { remoteDirWord } from './remote-command.js';

/**
 * How the remote PATH is set before the command runs:
 * - `'augment'` (default): prepend the user-level bin directories and version-manager bins that
 *   exist on the remote (see {@link AUGMENTED_PATH_DIRS}), without sourcing any rc/profile file;
 * - `'inherit'`: keep the PATH sshd gives non-interactive sessions;
 * - `string[]`: prepend exactly these directories (`~/x` allowed), first one first in PATH.
 */
export type RemotePathMode = 'augment' | 'inherit' | readonly string[];

/**
 * Directories `'augment'` prepends when they exist, lowest priority first (the last one ends up
 * first in PATH). Non-interactive ssh sessions get a minimal PATH, so agents installed per user
 * (npm prefix, Claude's local install, cargo, bun, Homebrew on Apple silicon, version-manager
 * shims) are otherwise "command not found". nvm and fnm are resolved separately because their
 * bin directory depends on the selected Node version.
 */
export const AUGMENTED_PATH_DIRS: readonly string[] = Object.freeze([
  '/usr/local/bin',
  '/opt/homebrew/bin',
  '~/go/bin',
  '~/.deno/bin',
  '~/.cargo/bin',
  '~/.bun/bin',
  '~/.npm-global/bin',
  '~/.volta/bin',
  '~/.asdf/shims',
  '~/.local/share/mise/shims',
  '~/.local/share/fnm/aliases/default/bin',
  '~/.fnm/aliases/default/bin',
  '~/bin',
  '~/.claude/local',
  '~/.local/bin',
]);

// nvm keeps one bin dir per installed Node; prefer the version named by `alias/default` when it
// is an exact installed version, else the highest installed one (numeric sort, so v20 > v9).
const NVM_BIN = [
  '__sw_n="${NVM_DIR:-$HOME/.nvm}"',
  'if [ -d "$__sw_n/versions/node" ]; then',
  '  __sw_v=$(cat "$__sw_n/alias/default" 2>/dev/null)',
  '  [ -n "$__sw_v" ] && [ -d "$__sw_n/versions/node/$__sw_v/bin" ] || __sw_v=v$(ls "$__sw_n/versions/node" | sed "s/^v//" | sort -t. -k1,1n -k2,2n -k3,3n | tail -n 1)',
  '  [ -d "$__sw_n/versions/node/$__sw_v/bin" ] && PATH="$__sw_n/versions/node/$__sw_v/bin:$PATH"',
  'fi',
];

// Only ever called with AUGMENTED_PATH_DIRS (never empty); an explicit list takes another path.
function prependExisting(dirs: readonly string[]): string[] {
  return [
    `for __sw_d in ${dirs.map(remoteDirWord).join(' ')}; do`,
    '  case ":$PATH:" in *":$__sw_d:"*) ;; *) [ -d "$__sw_d" ] && PATH="$__sw_d:$PATH" ;; esac',
    'done',
  ];
}

// Built once: it is the same for every call and sits on the wrap hot path.
const AUGMENT_LINES: readonly string[] = Object.freeze([...prependExisting(AUGMENTED_PATH_DIRS), ...NVM_BIN, 'export PATH']);

/**
 * POSIX sh lines that set PATH for `mode`, or none for `'inherit'`.
 *
 * @example
 * ```ts
 * remotePathLines(['/opt/agents/bin']); // a loop that prepends /opt/agents/bin, then `export PATH`
 * ```
 */
export function remotePathLines(mode: RemotePathMode = 'augment'): readonly string[] {
  if (mode === 'inherit') return [];
  if (mode === 'augment') return AUGMENT_LINES;
  // An explicit list is prepended as given, existing or not, in the caller's order.
  if (mode.length === 0) return [];
  return [`PATH=${mode.map(remoteDirWord).join(':')}:"$PATH"`, 'export PATH'];
}
