// The flags `wrap` and `exec` share (they build the same run: see run-plan.ts).
const RUN_OPTIONS = `  --remotes FILE       remotes file (JSON array or { "sshRemotes": [...] })
  --cwd DIR            remote working directory (default: ~)
  --env NAME=VALUE     environment variable for the command (repeatable);
                       secret-looking names (*_TOKEN, *_API_KEY, ...) go over stdin
  --prompt-file FILE   prompt for the command ('-' reads stdin)
  --ssh-config FILE    ssh config file instead of ~/.ssh/config
  --env-on-stdin MODE  secrets (default): secret-looking variables go over stdin;
                       all: every variable; none: all on the command line (visible in ps)
  --login-env          run in the environment the remote login shell builds
                       (~/.profile, ~/.bash_profile, ~/.zprofile, config.fish, ~/.login)
  --login-timeout SECONDS
                       bound for building it (default 10; implies --login-env)
`;

// The flags every detached-run command (attach, ps, logs, kill, prune) takes.
const DET = `  --run-dir DIR        where the runs live on the remote (default ~/.sshwrap/runs)
  --remotes FILE       remotes file (JSON array or { "sshRemotes": [...] })
  --ssh-config FILE    ssh config file instead of ~/.ssh/config
`;

/**
 * `--help` texts, one per command; kept together so they read as one manual.
 *
 * @example
 * ```ts
 * io.stdout.write(HELP.exec);
 * ```
 */
export const HELP: Readonly<Record<'main' | 'wrap' | 'exec' | 'test' | 'hosts' | 'start' | 'attach' | 'ps' | 'logs' | 'kill' | 'prune', string>> = {
  main: `Usage: sshwrap <command> [options]

Run a process on an SSH remote the way a local spawn would run it.

Commands:
  exec <remote> -- <command> [args...]      run a command remotely, stream its output
  wrap <remote> --dry-run -- <command> ...  print the ssh invocation as JSON, run nothing
  test <remote>                             test the connection (and an agent binary)
  hosts                                     list remotes and ~/.ssh/config hosts
  start <remote> -- <command> [args...]     start a detached run (survives sshwrap); prints its id
  attach <remote> <run-id>                  replay and follow a detached run; its exit status
  ps <remote> [<run-id>]                    list detached runs (state, exit, pid, bytes)
  logs <remote> <run-id>                    print a detached run's output so far
  kill <remote> <run-id>                    stop a detached run (TERM, then KILL)
  prune <remote> --older-than DURATION      remove finished detached runs' directories

<remote> is an id from the remotes file (--remotes FILE, default
$XDG_CONFIG_HOME/sshwrap/remotes.json or ~/.config/sshwrap/remotes.json),
else a Host from ~/.ssh/config.

Options:
  -h, --help     show help (also: sshwrap <command> --help)
  -V, --version  print the version

Exit status: see 'sshwrap exec --help'.
Docs: https://github.com/sshwrap/sshwrap/blob/main/docs/cli.md
`,
  wrap: `Usage: sshwrap wrap <remote> --dry-run [options] -- <command> [args...]

Print what sshwrap would spawn (ssh command, arguments, local cwd, redacted remote
command, stdin size) as JSON, plus the effective user/host/port. Spawns nothing
(except 'ssh -G' to resolve ~/.ssh/config).

Options:
  --dry-run            required: this command only prints
${RUN_OPTIONS}  -h, --help           show this help

Exit status: 0 printed, 2 bad usage or configuration.
`,
  exec: `Usage: sshwrap exec <remote> [options] -- <command> [args...]
       sshwrap exec --on <id,id,...> | --on-all [options] -- <command> [args...]

Run a command on the remote, streaming its stdout and stderr, and exit with
its exit status. Piped stdin reaches the command as with ssh
(echo hi | sshwrap exec box -- cat); a terminal stdin gives it /dev/null.
On a terminal, a progress line ("connecting to <host>...") shows on stderr
until the first output; in a pipe there is none.

Options:
${RUN_OPTIONS}  --timeout SECONDS    stop the run (remote included) after this long
  --json               print NDJSON on stdout instead: one object per line, in order,
                       the run's events ({"type":"resolve"|"connect"|"spawn"|"started"|
                       "first-byte"|"retry"|"error"|"exit", "at": ms, ...}) and the
                       command's output ({"type":"stdout"|"stderr","data":"<text>"},
                       UTF-8 chunks as they arrive); failures are "error" objects and
                       stderr stays empty (usage errors aside). See
                       https://github.com/sshwrap/sshwrap/blob/main/docs/cli.md
  -h, --help           show this help

Many hosts (pooled connections; output lines prefixed "<id>: "):
  --on IDS             run on these remotes (comma-separated ids or ssh config Hosts)
  --on-all             run on every enabled remote of the remotes file
  --concurrency N      runs at once over all hosts (default 16)
  --per-host N         runs at once per host:port (default: no own limit)
  --fail-fast          start no more hosts after the first failure
  Exit status: the worst host's (the largest of each host's exec status
  below); a host not started because of --fail-fast counts as 254.

Exit status:
  0-255  the remote command's own exit status
  2      bad usage or configuration; nothing was run
  124    --timeout elapsed
  130    interrupted (SIGINT); 143: terminated (SIGTERM); 141: stdout closed
  253    the connection closed before the remote command reported its status
  254    the remote command did not run (ssh failure, missing cwd, command
         not found, login environment timed out or failed); the reason and a
         hint are printed on stderr
`,
  test: `Usage: sshwrap test <remote> [options]

Connect once and report hostname, user and platform (and whether an agent
binary is on the remote PATH).

Options:
  --agent NAME         also check that NAME is found on the remote
  --login-env          check in the login shell's environment too (see exec --help);
                       the result says which environment finds the agent
  --login-timeout SECONDS
                       bound for building it (default 10; implies --login-env)
  --remotes FILE       remotes file (JSON array or { "sshRemotes": [...] })
  --ssh-config FILE    ssh config file instead of ~/.ssh/config
  --json               print the result as JSON
  -h, --help           show this help

Exit status: 0 connected, 1 failed, 2 bad usage or configuration.
`,
  hosts: `Usage: sshwrap hosts [options]

List the remotes of the remotes file and the Host entries of ~/.ssh/config.

Options:
  --remotes FILE       remotes file (JSON array or { "sshRemotes": [...] })
  --ssh-config FILE    ssh config file instead of ~/.ssh/config
  --json               print JSON
  -h, --help           show this help

Exit status: 0 listed, 2 bad usage or an unreadable file.
`,
  start: `Usage: sshwrap start <remote> [options] -- <command> [args...]

Start the command on the remote as a detached run: it keeps running when
sshwrap exits, the connection drops or sshd restarts. Its output and exit
status are kept in a private directory on the remote. Prints the run id.

Options:
${RUN_OPTIONS}  --run-dir DIR        where the runs live on the remote (default ~/.sshwrap/runs)
  --json               print { runId, remoteId, remotePid, startedAt } as JSON
  -h, --help           show this help

Exit status: 0 started, 2 bad usage or configuration, 254 not started (ssh
failure, missing cwd, command not found).
`,
  attach: `Usage: sshwrap attach <remote> <run-id> [options]

Replay a detached run's output from the start (or from byte offsets) and
follow it until the run ends; reconnects by itself after a dropped
connection. Ctrl-C detaches: the run goes on, and the offsets to resume
from are printed.

Options:
  --from-stdout N      skip the first N bytes of stdout (already seen)
  --from-stderr N      skip the first N bytes of stderr
  --timeout SECONDS    detach after this long
${DET}  -h, --help           show this help

Exit status:
  0-255  the run's own exit status
  124    --timeout elapsed (detached; the run goes on)
  130    detached by SIGINT; 143: SIGTERM; 141: stdout closed
  251    the run vanished without recording an exit status (lost)
  252    no such run
  254    the remote could not be reached
`,
  ps: `Usage: sshwrap ps <remote> [<run-id>] [options]

List the detached runs on the remote (or one run): id, state (running,
exited, lost), exit status, pid, start and end, bytes of stdout/stderr.

Options:
  --json               print JSON
${DET}  -h, --help           show this help

Exit status: 0 listed, 2 bad usage, 252 no such run, 254 unreachable.
`,
  logs: `Usage: sshwrap logs <remote> <run-id> [options]

Print what a detached run wrote so far: its stdout on stdout, its stderr on
stderr. To follow it, use 'sshwrap attach'.

Options:
${DET}  -h, --help           show this help

Exit status: 0 printed, 2 bad usage, 252 no such run, 254 unreachable.
`,
  kill: `Usage: sshwrap kill <remote> <run-id> [options]

Stop a detached run: SIGTERM to its process group, SIGKILL after the grace
period. Prints its status afterwards.

Options:
  --grace SECONDS      time between TERM and KILL (default 5)
  --json               print the status as JSON
${DET}  -h, --help           show this help

Exit status: 0 stopped (or already ended), 2 bad usage, 252 no such run,
254 unreachable.
`,
  prune: `Usage: sshwrap prune <remote> --older-than DURATION [options]

Remove the directories of finished detached runs (exited or lost) that ended
longer ago than DURATION (30, 90s, 15m, 12h, 7d; 0: every finished run).
A running run is never removed. Prints the removed ids.

Options:
  --older-than DURATION  required
  --json               print { "removed": [...] }
${DET}  -h, --help           show this help

Exit status: 0 pruned, 2 bad usage, 254 unreachable.
`,
};
