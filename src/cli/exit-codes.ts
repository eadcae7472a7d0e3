/**
 * Exit statuses of the `sshwrap` CLI (documented in docs/cli.md). `exec` otherwise exits with the
 * remote command's own status, so these avoid the values a command commonly uses for itself
 * where they can.
 *
 * @example
 * ```ts
 * if (result.errorKind) return EXIT.REMOTE_DID_NOT_RUN;
 * ```
 */
export const EXIT = Object.freeze({
  /** Success (`exec`: the remote command exited 0). */
  OK: 0,
  /** `test`: the connection test failed. Any command: an unexpected internal error. */
  FAILURE: 1,
  /** Bad usage or configuration (flags, remotes file, unknown remote, invalid config): nothing was run. */
  USAGE: 2,
  /** `exec --timeout` elapsed; the run (remote included) was stopped. Same as coreutils `timeout`. */
  TIMEOUT: 124,
  /** Interrupted by SIGINT (128 + 2), after stopping the run. */
  SIGINT: 130,
  /** Interrupted by SIGTERM (128 + 15), after stopping the run. */
  SIGTERM: 143,
  /** `exec`: stdout's reader went away (EPIPE, as a shell reports SIGPIPE: 128 + 13), after stopping the run. */
  SIGPIPE: 141,
  /**
   * `exec`: the remote command did not run (ssh could not connect or authenticate, the remote
   * cwd is missing, the command was not found, ssh could not be started). Not 255: ssh uses 255
   * for its own failures but a remote command can exit 255 too, and sshwrap tells them apart.
   */
  REMOTE_DID_NOT_RUN: 254,
  /**
   * `exec`: the remote command started but the connection closed before it reported an exit
   * status (network drop, sshd restart, the remote script was killed), so its outcome is unknown.
   */
  CONNECTION_LOST: 253,
  /** `attach`, `logs`, `kill`, `ps <run>`: no such detached run on the remote (wrong id or `--run-dir`, or pruned). */
  RUN_NOT_FOUND: 252,
  /** `attach`: the detached run's process vanished without recording an exit status (remote reboot, killed wrapper). */
  RUN_LOST: 251,
});

/**
 * One of the {@link EXIT} values.
 *
 * @example
 * ```ts
 * const code: ExitCode = EXIT.USAGE;
 * ```
 */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
