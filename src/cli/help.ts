// The flags `wrap` and `exec` share (they build the same run: see run-plan.ts).
const RUN_OPTIONS = `  --remotes FILE       remotes file (JSON array or { "sshRemotes": [...] })
  --cwd DIR            remote working directory (default: ~)
  --env NAME=VALUE     environment variable for the command (repeatable);
                       secret-looking names (*_TOKEN, *_API_KEY, ...) go over stdin
  --prompt-file FILE   prompt for the command ('-' reads stdin)
  --ssh-config FILE    ssh config file instead of ~/.ssh/config
  --env-on-stdin MODE  secrets (default): secret-looking variables go over stdin;
                       all: every variable; none: all on the command line (visible in ps)
`;

/**
 * `--help` texts, one per command; kept together so they read as one manual.
 *
 * @example
 * ```ts
 * io.stdout.write(HELP.exec);
 * ```
 */
export const HELP: Readonly<Record<'main' | 'wrap' | 'exec' | 'test' | 'hosts', string>> = {
  main: `Usage: sshwrap <command> [options]

Run a process on an SSH remote the way a local spawn would run it.

Commands:
  exec <remote> -- <command> [args...]      run a command remotely, stream its output
  wrap <remote> --dry-run -- <command> ...  print the ssh invocation as JSON, run nothing
  test <remote>                             test the connection (and an agent binary)
  hosts                                     list remotes and ~/.ssh/config hosts

<remote> is an id from the remotes file (--remotes FILE, default
$XDG_CONFIG_HOME/sshwrap/remotes.json or ~/.config/sshwrap/remotes.json),
else a Host from ~/.ssh/config.

Options:
  -h, --help     show help (also: sshwrap <command> --help)
  -V, --version  print the version

Exit status: see 'sshwrap exec --help' and docs/cli.md.
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

Run a command on the remote, streaming its stdout and stderr, and exit with
its exit status. On a terminal, a progress line ("connecting to <host>...")
shows on stderr until the first output; in a pipe there is none.

Options:
${RUN_OPTIONS}  --timeout SECONDS    stop the run (remote included) after this long
  --json               print NDJSON on stdout instead: one object per line, in order,
                       the run's events ({"type":"resolve"|"connect"|"spawn"|"started"|
                       "first-byte"|"retry"|"error"|"exit", "at": ms, ...}) and the
                       command's output ({"type":"stdout"|"stderr","data":"<text>"},
                       UTF-8 chunks as they arrive); failures are "error" objects and
                       stderr stays empty (usage errors aside). See docs/cli.md.
  -h, --help           show this help

Exit status:
  0-255  the remote command's own exit status
  2      bad usage or configuration; nothing was run
  124    --timeout elapsed
  130    interrupted (SIGINT); 143: terminated (SIGTERM); 141: stdout closed
  253    the connection closed before the remote command reported its status
  254    the remote command did not run (ssh failure, missing cwd, command
         not found); the reason and a hint are printed on stderr
`,
  test: `Usage: sshwrap test <remote> [options]

Connect once and report hostname, user and platform (and whether an agent
binary is on the remote PATH).

Options:
  --agent NAME         also check that NAME is found on the remote
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
};
