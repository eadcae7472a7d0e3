/**
 * The one POSIX `/bin/sh` script behind `uploadFile`, `downloadFile` and `remoteFs`: every
 * operation is `sh -c FILES_SCRIPT sshwrap-files <tag> <op> <args…>`, delivered through the same
 * remote script as a run (so any login shell, the remote's ssh options and the pool apply), one
 * round trip per operation.
 *
 * Protocol: data travels raw on stdout (listings: NUL-framed records; reads and downloads: the
 * file's bytes) and on stdin (uploads: exactly the file's bytes, then EOF). The outcome is ONE
 * line on stderr, `<tag>:ok:<payload>` or `<tag>:err:<CODE>:<message>`, with a random tag so a
 * chatty tool cannot fake it. Codes the script decides itself (it checks before it acts) are
 * Node fs codes; a tool's own failure is reported as `EIO` with the tool's message (C locale),
 * which `codeFromMessage` maps to the code the text names (`No space left on device` → `ENOSPC`).
 *
 * Metadata: `stat -c '%s %Y %f'` (GNU coreutils, busybox; listings on GNU use one
 * `stat --printf` per 500 entries) or `stat -f '%z %m %Xp'` (macOS, BSD):
 * size in bytes, mtime in whole seconds, st_mode in hex — chosen once per run by probing `stat -c`
 * on `/`. sha256: `sha256sum` (GNU, busybox), `shasum -a 256` (macOS, Perl), `openssl dgst
 * -sha256`; with none of them the payload says `none` and only the length is verified.
 *
 * `~` and `~/…` are expanded on the remote from `$HOME`; other relative paths are relative to the
 * home directory (the session's start directory) and get a `./` prefix so a name starting with
 * `-` is never read as an option.
 */
// String.raw keeps the script readable (no doubled backslashes); `\${` is its only escape.
export const FILES_SCRIPT = String.raw`LC_ALL=C; export LC_ALL
um=$(umask); umask 077
tag=$1; op=$2; shift 2
# fd 5: the real stdout, for tools whose stderr a $(...) captures while their data goes out.
exec 5>&1
say() { printf '\n%s:%s\n' "$tag" "$1" >&2; }
fail() { m=$(printf '%s' "$2" | tr '\n\r' '  '); say "err:$1:$m"; exit 1; }
ex() { case $1 in '~') p=$HOME;; '~/'*) p=$HOME/\${1#'~/'};; /*) p=$1;; *) p=./$1;; esac; }
if stat -c %s / >/dev/null 2>&1; then st() { stat -c '%s %Y %f' "$1"; }; else st() { stat -f '%z %m %Xp' "$1"; }; fi
sum() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum | cut -c1-64
  elif command -v shasum >/dev/null 2>&1; then shasum -a 256 | cut -c1-64
  elif command -v openssl >/dev/null 2>&1; then openssl dgst -sha256 | sed 's/^.*= *//'
  else echo none; fi
}
exists() { [ -e "$1" ] || [ -L "$1" ]; }
parent() { case $1 in */*) d=\${1%/*}; b=\${1##*/};; *) d=.; b=$1;; esac; [ -n "$d" ] || d=/; }
# Missing, or hidden behind a directory we may not search: the latter is EACCES, as open(2) says.
need() { exists "$1" && return 0; parent "$1"; [ -d "$d" ] && [ ! -x "$d" ] && fail EACCES "$1"; fail ENOENT "$1"; }
writable_dir() {
  exists "$1" || fail ENOENT "$1"; [ -d "$1" ] || fail ENOTDIR "$1"
  [ -w "$1" ] && [ -x "$1" ] || fail EACCES "$1"
}
case $op in
stat)
  ex "$1"; need "$p"; m=$(st "$p" 2>&1) || fail EIO "$m"
  printf '%s\000' "$m"; say ok ;;
list)
  ex "$1"; need "$p"; [ -d "$p" ] || fail ENOTDIR "$p"
  [ -r "$p" ] && [ -x "$p" ] || fail EACCES "$p"
  cd "$p" 2>/dev/null || fail EACCES "$p"
  if stat --printf '' / >/dev/null 2>&1; then
    # GNU stat: one process per 500 entries, the record framed by stat itself (its %n is the
    # name exactly as passed). An entry gone since the glob is skipped, the others still print.
    gstat() { stat --printf '%s %Y %f\0%n\0' -- "$@" 2>/dev/null; }
    set --
    for f in * .[!.]* ..?*; do
      exists "$f" || continue
      set -- "$@" "$f"
      if [ $# -ge 500 ]; then gstat "$@"; set --; fi
    done
    [ $# -eq 0 ] || gstat "$@"
  else
    for f in * .[!.]* ..?*; do
      exists "$f" || continue
      m=$(st "./$f" 2>/dev/null) || continue
      printf '%s\000%s\000' "$m" "$f"
    done
  fi
  say ok ;;
read)
  ex "$1"; need "$p"; [ -d "$p" ] && fail EISDIR "$p"; [ -r "$p" ] || fail EACCES "$p"
  m=$(st "$p" 2>&1) || fail EIO "$m"
  n=\${m%% *}
  [ "$2" = - ] || [ "$n" -le "$2" ] || fail EFBIG "$n bytes, more than maxBytes ($2)"
  m=$(cat "$p" 2>&1 >&5) || fail EIO "$m"
  if [ "$3" = sum ]; then
    n=$(wc -c < "$p" | tr -d ' '); s=$(sum < "$p"); say "ok:$n:$s"
  else say ok; fi ;;
write)
  ex "$1"; size=$2; want=$3; mode=$4
  [ -d "$p" ] && fail EISDIR "$p"
  parent "$p"; writable_dir "$d"
  [ -n "$b" ] || fail EISDIR "$p"
  tmp=$d/.$b.sshwrap-$tag
  trap 'rm -f "$tmp" "$tmp.m"; exit 143' TERM HUP INT
  m=$( { cat > "$tmp"; } 2>&1 ) || { rm -f "$tmp"; fail EIO "$m"; }
  n=$(wc -c < "$tmp" | tr -d ' ')
  [ "$n" = "$size" ] || { rm -f "$tmp"; fail EVERIFY "$n of $size bytes arrived"; }
  s=$(sum < "$tmp")
  [ "$s" = none ] || [ "$s" = "$want" ] || { rm -f "$tmp"; fail EVERIFY "sha256 $s, expected $want"; }
  if [ "$mode" = - ]; then
    # Keep the replaced file's mode; a new file gets what the caller's umask gives (0666 & ~umask),
    # read from a file made under it: mksh's $((...)) has no octal literals.
    if [ -f "$p" ]; then x=$p; else x=$tmp.m; (umask "$um"; : > "$x"); fi
    o=$(st "$x"); [ "$x" = "$p" ] || rm -f "$x"
    o=$(printf '%o' "0x\${o##* }"); mode=\${o#"\${o%????}"}
  fi
  m=$(chmod "$mode" "$tmp" 2>&1) || { rm -f "$tmp"; fail EIO "$m"; }
  m=$(mv -f "$tmp" "$p" 2>&1) || { rm -f "$tmp"; fail EIO "$m"; }
  say "ok:$n:$s" ;;
tmpdir)
  # A run's private attachment directory: mktemp -d makes it 0700 (as the lifeline's prompt dir).
  d=$(mktemp -d "\${TMPDIR:-/tmp}/sshwrap-att.XXXXXXXX" 2>&1) || fail EIO "$d"
  say "ok:$d" ;;
attdir)
  # A detached run's attachment directory, <runDir>/.<runId>.attachments (0700): the dot keeps it
  # out of the runs' "*/pid" globs, pruneDetached removes it with the run.
  ex "$1"; m=$(mkdir -p "$p" 2>&1) || fail EIO "$m"
  d=$p/$2; m=$(mkdir "$d" 2>&1) || fail EIO "$m"
  say "ok:$d" ;;
mkdir)
  ex "$1"
  if exists "$p"; then [ -d "$p" ] || fail EEXIST "$p"; say ok; exit 0; fi
  m=$(mkdir -p "$p" 2>&1) || fail EIO "$m"
  say ok ;;
rename)
  ex "$1"; a=$p; ex "$2"; need "$a"
  [ -d "$p" ] && [ ! -L "$p" ] && fail EISDIR "$p"
  parent "$p"; writable_dir "$d"
  m=$(mv -f "$a" "$p" 2>&1) || fail EIO "$m"
  say ok ;;
remove)
  ex "$1"; need "$p"
  if [ -d "$p" ] && [ ! -L "$p" ]; then
    r=$(cd "$p" 2>/dev/null && pwd -P); h=$(cd && pwd -P)
    if [ "$r" = / ] || [ "$r" = "$h" ]; then fail EPERM "refusing to remove $r"; fi
    if [ "$2" = recursive ]; then m=$(rm -rf "$p" 2>&1) || fail EIO "$m"
    else m=$(rmdir "$p" 2>&1) || fail EIO "$m"; fi
  else m=$(rm -f "$p" 2>&1) || fail EIO "$m"; fi
  say ok ;;
*) fail EINVAL "unknown operation $op" ;;
esac
`.replace(/\\\$\{/g, '${');
