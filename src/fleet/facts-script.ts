/**
 * Seconds the facts script waits for `<agent> --version` and `nvidia-smi`, all started at once in
 * the background: a hung tool must not hang the probe. Past it the tool is killed (SIGKILL to
 * the process itself; grandchildren it started are left to the remote) and its field is `null`/`[]`.
 */
export const TOOL_TIMEOUT_SECONDS = 5;

/**
 * The POSIX `/bin/sh` script {@link probeHost} runs remotely, as
 * `/bin/sh -c <script> sshwrap-facts <tag> <disk path> [agent…]`, through `runWithSsh`: so the
 * login shell never parses it (the any-shell transport) and PATH is the one runs get (the remote
 * script's `remotePathLines`). It prints format 1 of `parseFactsOutput`: one `<tag>:<key>:<value>`
 * line per record, `begin:1` first and `end:` last. Every value is one line: tool output is read
 * with `read`, `head -n 1` or `sed … q`, so no value can spill into a second record.
 *
 * Linux and macOS by design: each field tries the Linux source first (/proc), then the macOS one
 * (sysctl, vm_stat); a tool that is missing prints nothing and the field is `null`.
 * `__sw_`-prefixed names so an agent called `r` or `job` is never mistaken for a shell function.
 */
export const FACTS_SCRIPT = [
  '__sw_t=$1; __sw_d=$2; shift 2',
  "__sw_r() { printf '%s:%s:%s\\n' \"$__sw_t\" \"$1\" \"$2\"; }",
  '__sw_r begin 1',
  '__sw_r hostname "$(hostname 2>/dev/null || uname -n 2>/dev/null)"',
  '__sw_r os "$(uname -s 2>/dev/null)"',
  '__sw_r arch "$(uname -m 2>/dev/null)"',
  '__sw_r kernel "$(uname -r 2>/dev/null)"',
  // nproc honours CPU affinity and cgroup cpusets (what a job may really use); getconf is POSIX.
  '__sw_r cpus "$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null)"',
  'if [ -r /proc/loadavg ]; then __sw_r loadavg "$(head -n 1 /proc/loadavg)"; else __sw_r loadavg "$(sysctl -n vm.loadavg 2>/dev/null | head -n 1)"; fi',
  'if [ -r /proc/meminfo ]; then',
  '  while IFS= read -r __sw_l; do case $__sw_l in MemTotal:*|MemAvailable:*|MemFree:*|Buffers:*|Cached:*) __sw_r meminfo "$__sw_l" ;; esac; done </proc/meminfo',
  'else',
  '  __sw_r memsize "$(sysctl -n hw.memsize 2>/dev/null | head -n 1)"',
  '  vm_stat 2>/dev/null | while IFS= read -r __sw_l; do __sw_r vmstat "$__sw_l"; done',
  'fi',
  // The disk path as a run's cwd would be: `~` and `~/…` are the login directory.
  "case $__sw_d in '~'|'') __sw_d=$HOME ;; '~/'*) __sw_d=$HOME/${__sw_d#'~/'} ;; esac",
  '__sw_r diskpath "$__sw_d"',
  '__sw_r df "$(df -Pk -- "$__sw_d" 2>/dev/null | sed -n 2p)"',
  // Slow tools run in the background, each into its own files; `.rc` appears when one is done.
  '__sw_tmp=$(mktemp -d 2>/dev/null || mktemp -d -t sshwrap 2>/dev/null) || __sw_tmp=',
  '__sw_jobs=',
  '__sw_job() {',
  '  [ -n "$__sw_tmp" ] || return 0',
  '  __sw_n=$1; shift',
  '  ( "$@" >"$__sw_tmp/$__sw_n.out" 2>"$__sw_tmp/$__sw_n.err" </dev/null & echo $! >"$__sw_tmp/$__sw_n.pid"; wait $!; echo $? >"$__sw_tmp/$__sw_n.rc" ) >/dev/null 2>&1 &',
  '  __sw_jobs="$__sw_jobs $__sw_n"',
  '}',
  '__sw_i=0',
  'for __sw_a in "$@"; do',
  '  __sw_i=$((__sw_i + 1))',
  // Only a file counts: `command -v` also names builtins and functions, which are no agents.
  '  if __sw_p=$(command -v "$__sw_a" 2>/dev/null) && case $__sw_p in /*) true ;; *) false ;; esac; then',
  '    __sw_r agent "$__sw_i:$__sw_p"; __sw_job "v$__sw_i" "$__sw_p" --version',
  '  else __sw_r agent-missing "$__sw_i"; fi',
  'done',
  'command -v nvidia-smi >/dev/null 2>&1 && __sw_job gpu nvidia-smi --query-gpu=index,name,memory.total,memory.used,utilization.gpu --format=csv,noheader,nounits',
  // Wait in tenths of a second up to the limit; `sleep 0.1` is not POSIX, so whole seconds where
  // it fails. Then kill what is still running: its `.rc` never comes, its field stays empty.
  '__sw_w=0',
  `while [ -n "$__sw_jobs" ] && [ "$__sw_w" -lt ${TOOL_TIMEOUT_SECONDS * 10} ]; do`,
  '  __sw_left=0; for __sw_n in $__sw_jobs; do [ -e "$__sw_tmp/$__sw_n.rc" ] || __sw_left=1; done',
  '  [ "$__sw_left" = 0 ] && break',
  '  if sleep 0.1 2>/dev/null; then __sw_w=$((__sw_w + 1)); else sleep 1; __sw_w=$((__sw_w + 10)); fi',
  'done',
  'for __sw_n in $__sw_jobs; do [ -e "$__sw_tmp/$__sw_n.rc" ] || kill -KILL "$(cat "$__sw_tmp/$__sw_n.pid" 2>/dev/null)" 2>/dev/null; done',
  // First non-blank line of the first KiB, stdout before stderr (some tools print versions there).
  '__sw_first() { __sw_f=$(head -c 1024 "$1" 2>/dev/null | sed -n "/[^[:space:]]/{p;q;}"); [ -n "$__sw_f" ] || __sw_f=$(head -c 1024 "$2" 2>/dev/null | sed -n "/[^[:space:]]/{p;q;}"); printf %s "$__sw_f"; }',
  '__sw_i=0',
  'for __sw_a in "$@"; do',
  '  __sw_i=$((__sw_i + 1)); __sw_n=v$__sw_i',
  '  [ -e "$__sw_tmp/$__sw_n.rc" ] && __sw_r version "$__sw_i:$(cat "$__sw_tmp/$__sw_n.rc"):$(__sw_first "$__sw_tmp/$__sw_n.out" "$__sw_tmp/$__sw_n.err")"',
  'done',
  'if [ -n "$__sw_tmp" ] && [ "$(cat "$__sw_tmp/gpu.rc" 2>/dev/null)" = 0 ]; then',
  '  while IFS= read -r __sw_l; do [ -n "$__sw_l" ] && __sw_r gpu "$__sw_l"; done <"$__sw_tmp/gpu.out"',
  'fi',
  '[ -n "$__sw_tmp" ] && rm -rf "$__sw_tmp"',
  '__sw_r end ""',
].join('\n');
