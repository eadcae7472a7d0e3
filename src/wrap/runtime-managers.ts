/**
 * The two Node managers whose bin directory depends on a selection the user made, resolved in
 * POSIX sh the way the managers resolve it themselves. Each block sets one `__sw_` variable to the
 * selected bin dir (or leaves it empty) for the PATH loop in `remote-path.ts`.
 *
 * Both run inside the remote `/bin/sh` script (dash, bash --posix incl. macOS's bash 3.2,
 * busybox sh, mksh), so they use only builtins: no fork at all, and only a few `[ -d ]` tests when
 * the manager is not installed. No GNU-only tools (`sort -V`, `ls -v`, `readlink -f`).
 *
 * @module
 */

/** Longest alias chain followed (`default` → `lts/*` → `lts/iron` → version is 3 steps). */
export const NVM_ALIAS_MAX_DEPTH = 10;

/**
 * Sets `__sw_nvm` to `$NVM_DIR/versions/node/<v>/bin` for the version nvm's own startup
 * (`nvm_auto use` → `nvm_resolve_local_alias default`, in nvm-sh/nvm's `nvm.sh`) selects:
 *
 * - `NVM_DIR`, else `~/.nvm`, else `${XDG_CONFIG_HOME:-~/.config}/nvm` (where nvm's install.sh
 *   puts it when `XDG_CONFIG_HOME` is set);
 * - `alias/default` is read like `nvm_alias` does: the first line that is not blank once a `#`
 *   comment is cut off, its first word;
 * - a value naming another alias file (`lts/*` → `alias/lts/*` → `lts/iron` → `alias/lts/iron`,
 *   or any user alias) is followed, at most {@link NVM_ALIAS_MAX_DEPTH} steps (a cycle, which
 *   nvm reports as `∞`, resolves to nothing);
 * - the end of the chain, with or without a leading `v`, is matched like `nvm_ls`: three numeric
 *   groups is an exact version, one or two is a prefix (`18` is `v18.*`, `18.2` is `v18.2.*`, never
 *   `v18.20.*`) and the newest installed match wins, compared numerically per group (v9 < v10,
 *   v18.2 < v18.10); `node` and `stable` are the newest installed;
 * - `system` selects no nvm version (nvm then leaves PATH to the system node);
 * - anything else (no `alias/default`, an uninstalled version, `lts/<name>` never installed,
 *   `unstable`, `iojs`, `lts/-1`) falls back to the newest installed version. nvm itself would
 *   select nothing there; sshwrap prefers an agent that runs. io.js and pre-0.12 layouts
 *   (`$NVM_DIR/v0.10.x`) are not searched.
 */
export const NVM_DEFAULT_BIN_LINES: readonly string[] = Object.freeze([
  '__sw_nd=${NVM_DIR:-$HOME/.nvm}',
  '[ -n "${NVM_DIR-}" ] || [ -d "$__sw_nd" ] || __sw_nd=${XDG_CONFIG_HOME:-$HOME/.config}/nvm',
  '__sw_nvm=',
  'if [ -d "$__sw_nd/versions/node" ]; then',
  '  __sw_na=default __sw_ni=0',
  '  while [ -f "$__sw_nd/alias/$__sw_na" ] && [ -r "$__sw_nd/alias/$__sw_na" ]; do',
  `    __sw_ni=$((__sw_ni + 1)); [ "$__sw_ni" -le ${NVM_ALIAS_MAX_DEPTH} ] || { __sw_na=; break; }`,
  '    __sw_nv=',
  '    while read -r __sw_nl __sw_nr || [ -n "$__sw_nl" ]; do __sw_nl=${__sw_nl%%#*}; [ -n "$__sw_nl" ] && { __sw_nv=$__sw_nl; break; }; done <"$__sw_nd/alias/$__sw_na"',
  '    case $__sw_nv in "") break ;; /* | .. | ../* | */.. | */../*) __sw_na=; break ;; esac',
  '    __sw_na=$__sw_nv',
  '  done',
  '  __sw_np=${__sw_na#v}',
  '  case $__sw_na in',
  '    system) __sw_np=- ;;',
  '    node | stable) __sw_np= ;;',
  '    *) case $__sw_np in "" | *[!0-9.]* | .* | *. | *..* | *.*.*.*) __sw_np= ;; *) __sw_np=$__sw_np. ;; esac ;;',
  '  esac',
  // Pass 1 takes the newest match of the alias, pass 2 (only when that found none) the newest of all.
  '  __sw_nv=',
  '  [ "$__sw_np" = - ] || for __sw_np in "$__sw_np" ""; do',
  '    for __sw_nc in "$__sw_nd"/versions/node/v*; do',
  '      __sw_nb=${__sw_nc##*/}; __sw_nb=${__sw_nb#v}',
  '      case $__sw_nb in *[!0-9.]* | .* | *. | *..* | *.*.*.* | *[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]*) continue ;; *.*.*) ;; *) continue ;; esac',
  '      case $__sw_nb. in "$__sw_np"*) ;; *) continue ;; esac',
  '      [ -d "$__sw_nc/bin" ] || continue',
  '      __sw_nx=${__sw_nb%%.*} __sw_nr=${__sw_nb#*.}; __sw_ny=${__sw_nr%.*} __sw_nz=${__sw_nr#*.}',
  '      if [ -z "$__sw_nv" ] || [ "$__sw_nx" -gt "$__sw_vx" ] || { [ "$__sw_nx" -eq "$__sw_vx" ] && { [ "$__sw_ny" -gt "$__sw_vy" ] || { [ "$__sw_ny" -eq "$__sw_vy" ] && [ "$__sw_nz" -gt "$__sw_vz" ]; }; }; }; then',
  '        __sw_nv=$__sw_nc __sw_vx=$__sw_nx __sw_vy=$__sw_ny __sw_vz=$__sw_nz',
  '      fi',
  '    done',
  '    [ -z "$__sw_nv" ] || break',
  '  done',
  '  __sw_nvm=${__sw_nv:+$__sw_nv/bin}',
  'fi',
]);

/**
 * Sets `__sw_fnm` to fnm's base directory, chosen like fnm's `base_dir_with_default`
 * (Schniz/fnm `src/config.rs`, `src/directories.rs`): `FNM_DIR`, else the first that exists of
 * `${XDG_DATA_HOME:-~/.local/share}/fnm`, the legacy `~/.fnm`, and macOS's legacy
 * `~/Library/Application Support/fnm`. `fnm default <v>` makes `aliases/default` a link to that
 * version's installation, so its `bin` needs no further resolution.
 */
export const FNM_DIR_LINES: readonly string[] = Object.freeze([
  'if [ -n "${FNM_DIR-}" ]; then __sw_fnm=$FNM_DIR',
  'elif [ -d "${XDG_DATA_HOME:-$HOME/.local/share}/fnm" ]; then __sw_fnm=${XDG_DATA_HOME:-$HOME/.local/share}/fnm',
  'elif [ -d "$HOME/.fnm" ]; then __sw_fnm=$HOME/.fnm',
  'else __sw_fnm="$HOME/Library/Application Support/fnm"; fi',
]);

/** Every variable the blocks above set, for the `unset` that keeps them out of the agent's env. */
export const RUNTIME_MANAGER_VARS: readonly string[] = Object.freeze([
  '__sw_nd', '__sw_nvm', '__sw_na', '__sw_ni', '__sw_nv', '__sw_nl', '__sw_nr', '__sw_np', '__sw_nc', '__sw_nb',
  '__sw_nx', '__sw_ny', '__sw_nz', '__sw_vx', '__sw_vy', '__sw_vz', '__sw_fnm',
]);
