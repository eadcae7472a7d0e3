import type { ForwardConnection } from './connection.js';

/** First wait before re-establishing a lost forwarding connection, in ms; doubles per failure. */
export const RECONNECT_MIN_DELAY_MS = 200;
/** Longest wait between two attempts, in ms. */
export const RECONNECT_MAX_DELAY_MS = 5_000;

/** A forwarding connection kept up until closed. */
export interface Supervisor {
  /** The forwards are in place right now (a connection is up). */
  readonly connected: boolean;
  /** How many times the connection was re-established after it was lost. */
  readonly reconnects: number;
  /** The error of the last failed re-establishment, cleared when one succeeds. */
  readonly lastError: unknown;
  /** Stops supervising; `finish` runs on the live connection (graceful remote cleanup), then it is stopped. */
  close(finish?: (connection: ForwardConnection) => Promise<void>): Promise<void>;
}


/**
 * Keeps a forwarding connection up: when ssh exits without being asked to (the connection
 * dropped, sshd restarted, the process was killed), `reconnect` is called again after 200 ms,
 * doubling up to 5 s between failed attempts, until it succeeds or {@link Supervisor.close} is called.
 */
export function supervise(first: ForwardConnection, reconnect: () => Promise<ForwardConnection>): Supervisor {
  let current: ForwardConnection | undefined = first;
  let closed = false;
  let reconnects = 0;
  let lastError: unknown;
  let pending: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  // A wait that close() cuts short, so closing never sits out a backoff.
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const watch = (connection: ForwardConnection): void => {
    void connection.exited.then(() => {
      if (closed || current !== connection) return;
      current = undefined;
      pending = restore();
    });
  };

  const restore = async (): Promise<void> => {
    let delay = RECONNECT_MIN_DELAY_MS;
    while (!closed) {
      await sleep(delay);
      if (closed) return;
      try {
        const connection = await reconnect();
        if (closed) {
          await connection.stop();
          return;
        }
        current = connection;
        lastError = undefined;
        reconnects++;
        watch(connection);
        return;
      } catch (error) {
        lastError = error;
        delay = Math.min(delay * 2, RECONNECT_MAX_DELAY_MS);
      }
    }
  };

  watch(first);
  return {
    get connected() {
      return current !== undefined && current.child.exitCode === null && current.child.signalCode === null;
    },
    get reconnects() {
      return reconnects;
    },
    get lastError() {
      return lastError;
    },
    close(finish) {
      closing ??= (async () => {
        closed = true;
        wake?.();
        await pending;
        const connection = current;
        current = undefined;
        if (!connection) return;
        if (finish) await finish(connection).catch(() => undefined);
        await connection.stop();
      })();
      return closing;
    },
  };
}
