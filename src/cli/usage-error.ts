/**
 * Bad command-line input: printed as one `sshwrap: …` line, exit status 2, never a stack trace.
 *
 * @example
 * ```ts
 * throw new UsageError('wrap: missing <remote>', 'wrap');
 * ```
 */
export class UsageError extends Error {
  /** The command whose `--help` the message points at, when there is one. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}
