/**
 * The idle clock of one run (`idleTimeoutMs`): fires once when nothing called {@link touch} for
 * `ms` milliseconds since {@link start} or the last touch. Without `ms` it never fires and costs
 * nothing. The timer is unref'd: an idle clock alone never keeps the process alive.
 *
 * @example
 * ```ts
 * const idle = new IdleClock(options.idleTimeoutMs);
 * child.stdout.on('data', () => idle.touch());
 * started.then(() => idle.start(() => stop()));
 * child.once('exit', () => idle.stop());
 * ```
 */
export class IdleClock {
  private timer: NodeJS.Timeout | undefined;
  private onIdle: (() => void) | undefined;
  private lastActivity = 0;
  private stopped = false;

  constructor(private readonly ms: number | undefined) {}

  /** Starts the clock (again: ignored); `onIdle` is called at most once. */
  start(onIdle: () => void): void {
    if (this.ms === undefined || this.stopped || this.onIdle) return;
    this.onIdle = onIdle;
    this.lastActivity = Date.now();
    this.arm(this.ms);
  }

  /** Output arrived: the clock starts over. */
  touch(): void {
    // Re-arming a timer per chunk would cost a timer-list update per chunk on a chatty stream:
    // the time is only noted here and checked when the timer fires.
    this.lastActivity = Date.now();
  }

  /** The run ended: the clock can no longer fire. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(delay: number): void {
    this.timer = setTimeout(() => this.check(), delay);
    this.timer.unref();
  }

  private check(): void {
    if (this.stopped || this.ms === undefined) return;
    const quiet = Date.now() - this.lastActivity;
    if (quiet < this.ms) return this.arm(this.ms - quiet);
    this.stop();
    this.onIdle?.();
  }
}
