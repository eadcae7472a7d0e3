import type { RunWithSshOptions, SshRunEvent, SshRunResult } from '../exec/index.js';
import type { CliIo, CliWritable } from './io.js';
import { oneLine } from './report-error.js';

/**
 * Why an `exec` run failed, as sshwrap reports it: the text mode prints it as
 * `sshwrap: <kind>: <message>` (plus a hint line), `--json` as an `error` object.
 *
 * @example
 * ```ts
 * const failure: RunFailure = { kind: 'connection-lost', message: 'the connection closed before …' };
 * ```
 */
export interface RunFailure {
  /** An `SshFailureKind`, or `connection-lost` (the command started, its exit status never came). */
  kind: string;
  message: string;
  hint?: string;
}

/**
 * The failure to report for a finished run, or `undefined` when there is none to report (the
 * command ran and exited, or the user interrupted it: the exit status says so).
 *
 * @example
 * ```ts
 * runFailure({ ...result, timedOut: true }, 5_000); // { kind: 'timeout', message: 'stopped after --timeout 5 s' }
 * ```
 */
export function runFailure(result: SshRunResult, timeoutMs: number | undefined): RunFailure | undefined {
  if (result.aborted) return undefined;
  if (result.timedOut) return { kind: 'timeout', message: `stopped after --timeout ${(timeoutMs ?? 0) / 1000} s` };
  if (result.errorKind) {
    return { kind: result.errorKind, message: result.errorMessage ?? 'the remote command did not run', ...(result.hint ? { hint: result.hint } : {}) };
  }
  if (result.connectionLost) return { kind: 'connection-lost', message: 'the connection closed before the remote command reported an exit status' };
  return undefined;
}

/**
 * How `exec` shows a run: the callbacks it gives `runWithSsh` and how it reports the end.
 * {@link textView} (plain output, progress on a terminal) or {@link jsonView} (`--json`).
 */
export interface ExecView {
  readonly callbacks: Required<Pick<RunWithSshOptions, 'onStdout' | 'onStderr'>> & Pick<RunWithSshOptions, 'onEvent'>;
  /** The run is over: report its failure, if any. */
  finished(result: SshRunResult, timeoutMs: number | undefined): void;
  /** sshwrap stopped waiting for an interrupted run to clean up. */
  gaveUp(): void;
  /** The command is over, however it ended (also when `runWithSsh` threw: `reportError` prints next). */
  close(): void;
}

// Carriage return, then erase to the end of the line: the progress line disappears and the
// cursor is back at the start of it, so the command's output starts where the line was.
const ERASE_LINE = '\r\x1b[K';

/**
 * The transient progress line on a terminal's stderr: `connecting to <host>…`, then `started on
 * <host>`, erased for good at the first output (the view erases it at the end of the run too).
 * Once erased it never comes back: rewriting a line the command's output may share would garble it.
 */
export class ProgressLine {
  private host = 'the remote';
  private shown = false;
  private done = false;

  constructor(private readonly stderr: CliWritable) {}

  event(event: SshRunEvent): void {
    switch (event.type) {
      case 'resolve':
        this.host = event.host ?? event.remoteId ?? this.host;
        return this.show(`connecting to ${this.host}…`);
      case 'retry':
        return this.show(`reconnecting to ${this.host}…`);
      case 'started':
        return this.show(`started on ${this.host}`);
      case 'first-byte':
        return this.erase();
      default:
        return undefined;
    }
  }

  /** Removes the line (if shown) and shows nothing more. */
  erase(): void {
    if (this.shown) this.stderr.write(ERASE_LINE);
    this.shown = false;
    this.done = true;
  }

  private show(text: string): void {
    if (this.done) return;
    this.stderr.write(`${this.shown ? ERASE_LINE : ''}sshwrap: ${text}`);
    this.shown = true;
  }
}

/**
 * Whether `exec` shows progress: only on a terminal's stderr (never in a pipe or a CI log, where
 * the erase sequence would stay as garbage), and not on a terminal that cannot erase (`TERM=dumb`).
 *
 * @example
 * ```ts
 * showsProgress({ ...io, stderr: process.stderr }); // true in an interactive shell
 * ```
 */
export function showsProgress(io: CliIo): boolean {
  return io.stderr.isTTY === true && io.env.TERM !== 'dumb';
}

/**
 * The default view: the command's output as is on stdout and stderr, a `sshwrap: <kind>: …` line
 * on stderr when the run failed, and a progress line while nothing has been printed yet when
 * stderr is a terminal.
 *
 * @example
 * ```ts
 * const view = textView(io);
 * const result = await runWithSsh(config, agentSsh, store, { ...view.callbacks });
 * view.finished(result, undefined);
 * ```
 */
export function textView(io: CliIo, context: RunContext = {}): ExecView {
  const progress = showsProgress(io) ? new ProgressLine(io.stderr) : undefined;
  // stderr before the command started is ssh's (or the remote script's) own: it is held, shown
  // once the command starts, or folded into the one failure block when it never does.
  let held: string[] | undefined = [];
  return {
    callbacks: {
      onEvent: (event: SshRunEvent) => {
        progress?.event(event);
        // Each try starts over: only the last one's messages belong to the failure.
        if (event.type === 'retry' && held) held = [];
        if (event.type === 'started' && held) {
          const text = held.join('');
          held = undefined;
          if (text) {
            progress?.erase();
            io.stderr.write(text);
          }
        }
      },
      onStdout: (text) => {
        progress?.erase();
        io.stdout.write(text);
      },
      onStderr: (text) => {
        if (held) return void held.push(text);
        progress?.erase();
        io.stderr.write(text);
      },
    },
    finished(result, timeoutMs) {
      progress?.erase();
      const before = held?.join('') ?? '';
      held = undefined;
      const failure = runFailure(result, timeoutMs);
      if (!failure || result.remoteStarted) {
        if (before) io.stderr.write(before);
        if (failure) io.stderr.write(failureBlock(failure, [], context));
        return;
      }
      io.stderr.write(failureBlock(failure, before.split(/\r?\n/), context));
    },
    gaveUp() {
      progress?.erase();
      io.stderr.write('sshwrap: interrupted; gave up waiting for the remote command to stop\n');
    },
    close() {
      progress?.erase();
    },
  };
}

/** What `exec` ran, for messages and hints in the CLI's own words (its flags, not option names). */
export interface RunContext {
  /** The remote command (`-- <command>`). */
  command?: string | undefined;
  /** `--cwd`, as given. */
  cwd?: string | undefined;
}

// The library's hints name library options (customPath, workingDirOverride, remoteEnvironment…);
// on the command line the same advice is spelled with the CLI's flags.
const CLI_HINTS: Record<string, (context: RunContext) => string> = {
  'agent-not-found': ({ command = 'the command' }) =>
    `Check that ${command} is installed on the remote; give its full path after -- (e.g. -- /usr/local/bin/${command.split('/').pop()}), ` +
    "or add --login-env to use the PATH the remote login shell builds (sshwrap's default PATH: https://github.com/sshwrap/sshwrap/blob/main/docs/remote-path.md).",
  'cwd-missing': () =>
    "Check --cwd: the directory must exist on the remote and be enterable; ~ and ~/x expand there (quote them locally: --cwd '~/app').",
  'login-env-timeout': () =>
    'A startup file of the remote login shell waits for input or runs long: guard its interactive parts, raise --login-timeout SECONDS, or drop --login-env.',
  'login-env-failed': () => 'The remote login shell exited before reporting its environment: run `$SHELL -l -c true` on the remote to see why, or drop --login-env.',
  dns: () => 'Check the host name for typos and that DNS resolves it, or name a ~/.ssh/config Host as the remote.',
};

function failureBlock(failure: RunFailure, before: readonly string[], context: RunContext): string {
  // What ssh said, once (retries repeat it) and labelled; the message then need not repeat it.
  const said = [...new Set(before.map((line) => line.trim()).filter(Boolean))];
  let message = failure.message;
  for (const line of said) if (message.endsWith(`: ${line}`)) message = message.slice(0, -(line.length + 2));
  let lines = said;
  if (failure.kind === 'agent-not-found' && context.command) message = `command not found on the remote: ${context.command}`;
  if (failure.kind === 'cwd-missing') {
    // The remote sh's own line ("sh: 3: cd: can't cd to /x") carries an internal line number.
    const reason = said.map((line) => line.replace(/^\S*sh: (?:line )?\d+: (?:cd: )?/, '')).find(Boolean);
    message = `cannot enter the working directory${context.cwd ? ` ${context.cwd}` : ''} on the remote${reason ? ` (${reason})` : ''}`;
    lines = [];
  }
  const hint = CLI_HINTS[failure.kind]?.(context) ?? failure.hint;
  return [
    `sshwrap: ${failure.kind}: ${oneLine(message)}\n`,
    ...lines.map((line) => `  ${line.startsWith('ssh: ') ? line : `ssh: ${line}`}\n`),
    hint ? `  hint: ${oneLine(hint)}\n` : '',
  ].join('');
}

/** One line of `exec --json`'s output: an event of the run, or a piece of the command's output. */
export type ExecJsonLine =
  | SshRunEvent
  | { type: 'stdout' | 'stderr'; data: string }
  | { type: 'error'; at: number; errorKind: string; message: string; hint?: string };

/**
 * `exec --json`: NDJSON on stdout, the run's events and the command's output in one ordered
 * stream. Output is held until the `first-byte` event, so it never comes before `started`
 * (stdout and stderr are separate pipes, so the command's first output can be read before the
 * status line that says it started); before a failure report or `exit`, whatever is held comes
 * first. `exit` waits for the end of the run so that a report sshwrap adds (a `--timeout` that
 * stopped a running command, a lost connection) comes before it, as `error` always does.
 */
export class NdjsonRun {
  private held: ExecJsonLine[] = [];
  private outputFlows = false;
  private exit: SshRunEvent | undefined;
  private ended = false;

  constructor(private readonly stdout: CliWritable) {}

  event(event: SshRunEvent): void {
    if (this.ended) return;
    switch (event.type) {
      case 'first-byte':
        this.write(event);
        this.outputFlows = true;
        return this.flush();
      case 'retry': // what the failed attempt printed (ssh's messages) belongs before it
      case 'error':
        this.flush();
        return this.write(event);
      case 'exit':
        this.flush();
        this.exit = event;
        return undefined;
      default:
        return this.write(event);
    }
  }

  output(type: 'stdout' | 'stderr', data: string): void {
    if (this.ended) return;
    if (this.outputFlows) this.write({ type, data });
    else this.held.push({ type, data });
  }

  /** Writes what is held, then `report` (an `error`) and the `exit` event; nothing after that. */
  end(report?: RunFailure): void {
    if (this.ended) return;
    this.flush();
    if (report) this.write({ type: 'error', at: Date.now(), errorKind: report.kind, message: report.message, ...(report.hint ? { hint: report.hint } : {}) });
    if (this.exit) this.write(this.exit);
    this.ended = true;
  }

  private flush(): void {
    const held = this.held;
    this.held = [];
    for (const line of held) this.write(line);
  }

  private write(line: ExecJsonLine): void {
    this.stdout.write(`${JSON.stringify(line)}\n`);
  }
}

/**
 * `--json`: everything on stdout as NDJSON (see {@link NdjsonRun}), sshwrap's failure reports
 * as `error` objects; stderr stays quiet (usage, configuration and internal errors aside, which
 * happen outside a run and `reportError` prints as usual).
 *
 * @example
 * ```ts
 * const view = jsonView(io);
 * view.finished(await runWithSsh(config, agentSsh, store, { ...view.callbacks }), 30_000);
 * ```
 */
export function jsonView(io: CliIo): ExecView {
  const stream = new NdjsonRun(io.stdout);
  return {
    callbacks: {
      onEvent: (event) => stream.event(event),
      onStdout: (text) => stream.output('stdout', text),
      onStderr: (text) => stream.output('stderr', text),
    },
    finished(result, timeoutMs) {
      // With errorKind set the library already emitted its `error` event.
      stream.end(result.errorKind ? undefined : runFailure(result, timeoutMs));
    },
    gaveUp() {
      // The run has not ended, so there is no exit event; the exit status tells what happened.
      stream.end();
    },
    close() {
      // Output still held is the command's: it is written even when the run failed with an exception.
      stream.end();
    },
  };
}
