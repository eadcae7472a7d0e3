import { remoteDirWord } from './remote-command.js';
import { FNM_DIR_LINES, NVM_DEFAULT_BIN_LINES, RUNTIME_MANAGER_VARS } from './runtime-managers.js';

/**
 * How the remote PATH is set before the command runs:
 * - `'augment'` (default): prepend the user-level bin directories, runtime-manager shims and the
 *   selected nvm/fnm Node version that exist on the remote (see {@link AUGMENTED_PATH_DIRS}),
 *   without sourcing any rc/profile file;
 * - `'inherit'`: keep the PATH sshd gives non-interactive sessions;
 * - `string[]`: prepend exactly these directories (`~/x` allowed), first one first in PATH.
 *
 * @example
 * ```ts
 * const mode: RemotePathMode = ['~/tools/bin', '/opt/agents/bin']; // or 'augment' (default), 'inherit'
 * ```
 */
export type RemotePathMode = 'augment' | 'inherit' | readonly string[];

interface AugmentedDir {
  /** As documented: `~` is `$HOME`, `${X:-d}` is `$X` when set and not empty, else `d`. */
  readonly shown: string;
  /** The same directory as one POSIX sh word (expanded remotely; empty when it does not apply). */
  readonly word: string;
  /** Goes after sshd's PATH instead of before it (what the system's own profile does). */
  readonly append?: true;
}

const home = (dir: string): AugmentedDir => ({ shown: dir, word: remoteDirWord(dir) });
const fixed = (dir: string): AugmentedDir => ({ shown: dir, word: dir });
const computed = (shown: string, word: string): AugmentedDir => ({ shown, word });

// Highest priority first: the first one that exists ends up first in PATH. The "why" of each row,
// and the reasoning behind the order, is the table in docs/remote-path.md (kept in step by a test).
const DIRS: readonly AugmentedDir[] = [
  // What the user's own ~/.profile puts first on Debian/Ubuntu/Fedora; native agent installers.
  home('~/.local/bin'),
  home('~/bin'),
  home('~/.claude/local'),
  home('~/.opencode/bin'),
  // The Node the user selected beats any system node (as their rc files arrange it).
  computed('$NVM_DIR/versions/node/<alias/default>/bin', '"$__sw_nvm"'),
  computed('$FNM_DIR/aliases/default/bin', '"$__sw_fnm/aliases/default/bin"'),
  computed('${VOLTA_HOME:-~/.volta}/bin', '"${VOLTA_HOME:-$HOME/.volta}/bin"'),
  computed('$N_PREFIX/bin', '"${N_PREFIX:+$N_PREFIX/bin}"'),
  computed('${NODENV_ROOT:-~/.nodenv}/shims', '"${NODENV_ROOT:-$HOME/.nodenv}/shims"'),
  // Multi-runtime shims, then the per-language ones.
  computed('${MISE_DATA_DIR:-${XDG_DATA_HOME:-~/.local/share}/mise}/shims', '"${MISE_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/mise}/shims"'),
  computed('${ASDF_DATA_DIR:-~/.asdf}/shims', '"${ASDF_DATA_DIR:-$HOME/.asdf}/shims"'),
  computed('${PROTO_HOME:-~/.proto}/shims', '"${PROTO_HOME:-$HOME/.proto}/shims"'),
  computed('${PROTO_HOME:-~/.proto}/bin', '"${PROTO_HOME:-$HOME/.proto}/bin"'),
  computed('${PYENV_ROOT:-~/.pyenv}/shims', '"${PYENV_ROOT:-$HOME/.pyenv}/shims"'),
  computed('${PYENV_ROOT:-~/.pyenv}/bin', '"${PYENV_ROOT:-$HOME/.pyenv}/bin"'),
  computed('${RBENV_ROOT:-~/.rbenv}/shims', '"${RBENV_ROOT:-$HOME/.rbenv}/shims"'),
  computed('${RBENV_ROOT:-~/.rbenv}/bin', '"${RBENV_ROOT:-$HOME/.rbenv}/bin"'),
  // Per-user global installs of package managers and language toolchains.
  computed('${PNPM_HOME:-${XDG_DATA_HOME:-~/.local/share}/pnpm}', '"${PNPM_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/pnpm}"'),
  home('~/Library/pnpm'),
  home('~/.npm-global/bin'),
  home('~/.yarn/bin'),
  computed('${BUN_INSTALL:-~/.bun}/bin', '"${BUN_INSTALL:-$HOME/.bun}/bin"'),
  computed('${DENO_INSTALL:-~/.deno}/bin', '"${DENO_INSTALL:-$HOME/.deno}/bin"'),
  computed('${CARGO_HOME:-~/.cargo}/bin', '"${CARGO_HOME:-$HOME/.cargo}/bin"'),
  computed('$GOBIN', '"${GOBIN-}"'),
  computed('${GOPATH%%:*}/bin', '"${GOPATH:+${GOPATH%%:*}/bin}"'),
  home('~/go/bin'),
  // System-wide package managers that the login profile (not sshd) adds.
  home('~/.nix-profile/bin'),
  computed('${XDG_STATE_HOME:-~/.local/state}/nix/profile/bin', '"${XDG_STATE_HOME:-$HOME/.local/state}/nix/profile/bin"'),
  fixed('/nix/var/nix/profiles/default/bin'),
  fixed('/home/linuxbrew/.linuxbrew/bin'),
  home('~/.linuxbrew/bin'),
  fixed('/opt/homebrew/bin'),
  fixed('/usr/local/bin'),
  { ...fixed('/snap/bin'), append: true },
];

/**
 * The directories `'augment'` adds to PATH when they exist, highest priority first: each one is
 * prepended, so the first one that exists ends up first in PATH, except `/snap/bin`, which goes
 * after sshd's PATH where Ubuntu's own profile puts it; one already on PATH keeps its place.
 * Non-interactive ssh sessions get a minimal PATH and source no profile, so agents installed per
 * user (native installers in `~/.local/bin`, npm under the selected nvm/fnm Node, cargo, bun,
 * pipx, Homebrew, Nix, runtime-manager shims) are otherwise "command not found".
 *
 * Written as documented in docs/remote-path.md (which gives the reason for each one): `~` is the
 * remote `$HOME`; `${X:-d}` is `$X` when set and not empty, else `d`; `$N_PREFIX/bin`, `$GOBIN` and
 * `${GOPATH%%:*}/bin` only apply when the variable is set. Two entries are resolved on the remote
 * the way the manager resolves them itself:
 * - `$NVM_DIR/versions/node/<alias/default>/bin`: `alias/default` followed through alias chains
 *   to the newest installed version it matches (`18` → newest v18.x; `lts/*`, `node`), as nvm's
 *   `nvm.sh` does (`nvm_resolve_alias`, `nvm_ls`); with no usable default, the newest installed.
 * - `$FNM_DIR/aliases/default/bin`: `FNM_DIR`, else the first existing of
 *   `${XDG_DATA_HOME:-~/.local/share}/fnm`, `~/.fnm`, `~/Library/Application Support/fnm`.
 *
 * @example
 * ```ts
 * AUGMENTED_PATH_DIRS[0]; // '~/.local/bin': the first place an agent is looked for
 * ```
 */
export const AUGMENTED_PATH_DIRS: readonly string[] = Object.freeze(DIRS.map((dir) => dir.shown));

// Prepending lowest priority first leaves the highest first in PATH; appending goes in table
// order. Only ever called with DIRS; an explicit list takes another path.
function addExisting(dirs: readonly AugmentedDir[]): string[] {
  const words = (list: readonly AugmentedDir[]): string => list.map((dir) => dir.word).join(' ');
  const loop = (list: readonly AugmentedDir[], add: string): string[] =>
    list.length === 0
      ? []
      : [`for __sw_d in ${words(list)}; do`, `  case ":$PATH:" in *":$__sw_d:"*) ;; *) [ -d "$__sw_d" ] && PATH=${add} ;; esac`, 'done'];
  return [...loop(dirs.filter((dir) => !dir.append).reverse(), '"$__sw_d:$PATH"'), ...loop(dirs.filter((dir) => dir.append), '"$PATH:$__sw_d"')];
}

// Built once: it is the same for every call and sits on the wrap hot path.
const AUGMENT_LINES: readonly string[] = Object.freeze([
  ...NVM_DEFAULT_BIN_LINES,
  ...FNM_DIR_LINES,
  ...addExisting(DIRS),
  `unset __sw_d ${RUNTIME_MANAGER_VARS.join(' ')}`,
  'export PATH',
]);

/**
 * POSIX sh lines that set PATH for `mode`, or none for `'inherit'`. The `'augment'` lines use only
 * shell builtins (no fork, no profile sourced) and unset every `__sw_` variable they set.
 *
 * @example
 * ```ts
 * remotePathLines(['/opt/agents/bin']); // ['PATH=/opt/agents/bin:"$PATH"', 'export PATH']
 * remotePathLines(); // 'augment': resolve nvm/fnm, prepend each AUGMENTED_PATH_DIRS entry that exists
 * ```
 */
export function remotePathLines(mode: RemotePathMode = 'augment'): readonly string[] {
  if (mode === 'inherit') return [];
  if (mode === 'augment') return AUGMENT_LINES;
  // An explicit list is prepended as given, existing or not, in the caller's order.
  if (mode.length === 0) return [];
  return [`PATH=${mode.map(remoteDirWord).join(':')}:"$PATH"`, 'export PATH'];
}
