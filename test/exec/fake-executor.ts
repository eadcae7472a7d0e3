import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ChildProcessLike, SpawnExecutor, SpawnExecutorOptions } from '../../src/exec/index.js';
import { markerLine, stdoutFrameLine, type RemoteScriptEvent } from '../../src/wrap/index.js';

/** A scripted child process: the test decides what it prints and when it exits. */
export class FakeChild extends EventEmitter implements ChildProcessLike {
  pid: number | undefined = 4242;
  readonly stdin = new PassThrough();
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  readonly signals: Array<NodeJS.Signals | number | undefined> = [];
  /** Signals this child ignores (to test SIGKILL escalation). */
  ignore = new Set<string>();
  stdinData: Buffer[] = [];
  stdinEnded = false;

  constructor(
    readonly command: string,
    readonly args: readonly string[],
    readonly options: SpawnExecutorOptions,
  ) {
    super();
    this.stdin.on('data', (chunk: Buffer) => this.stdinData.push(chunk));
    this.stdin.on('end', () => (this.stdinEnded = true));
  }

  /** The marker token embedded in the remote script (tests use shell: 'posix'). */
  get token(): string {
    const match = /swm_[0-9a-f]{24}/.exec(this.args.join(' '));
    if (!match) throw new Error('no marker token in args');
    return match[0];
  }

  marker(event: RemoteScriptEvent, value?: number): this {
    this.stderr.write(markerLine(this.token, event, value));
    return this;
  }

  exit(code: number | null, signal: NodeJS.Signals | null = null, { closeStreams = true } = {}): void {
    if (this.exitCode !== null || this.signalCode !== null) return;
    this.exitCode = code;
    this.signalCode = signal;
    if (closeStreams) {
      this.stdout.end();
      this.stderr.end();
    }
    this.emit('exit', code, signal);
    if (closeStreams) setImmediate(() => this.emit('close', code, signal));
  }

  kill(signal: NodeJS.Signals | number = 'SIGTERM'): boolean {
    this.signals.push(signal);
    if (this.ignore.has(String(signal))) return true;
    setImmediate(() => this.exit(null, signal as NodeJS.Signals));
    return true;
  }
}

export interface FakeExecutor extends SpawnExecutor {
  children: FakeChild[];
}

/**
 * An executor whose children run `behave` once spawned. `fail` makes spawn fail like node does:
 * `'sync'` throws (E2BIG), `'async'` emits an ENOENT 'error' instead of 'spawn'.
 */
export function fakeExecutor(behave: (child: FakeChild, index: number) => void, fail?: 'sync' | 'async'): FakeExecutor {
  const children: FakeChild[] = [];
  return {
    children,
    spawn(command, args, options) {
      if (fail === 'sync') throw Object.assign(new Error('spawn E2BIG'), { code: 'E2BIG', errno: -7, syscall: 'spawn' });
      const child = new FakeChild(command, args, options);
      const index = children.push(child) - 1;
      setImmediate(() => {
        if (fail === 'async') {
          child.pid = undefined;
          child.emit('error', Object.assign(new Error(`spawn ${command} ENOENT`), { code: 'ENOENT', syscall: `spawn ${command}` }));
          return;
        }
        child.emit('spawn');
        // A framed remote script writes its stdout frame line before anything else.
        const framed = /(swm_[0-9a-f]{24}):stdout/.exec(args.join(' '));
        if (framed) child.stdout.write(stdoutFrameLine(framed[1]!));
        behave(child, index);
      });
      return child;
    },
  };
}
