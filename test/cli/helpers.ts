import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CliIo, CliSignal } from '../../src/cli/io.js';
import type { SpawnExecutor } from '../../src/exec/index.js';

export interface MemoryIo extends CliIo {
  out(): string;
  err(): string;
  /** Every write to stdout and stderr, in the order they happened. */
  writes: Array<{ stream: 'stdout' | 'stderr'; text: string }>;
  /** Delivers a signal to the subscribed handlers, as the process would. */
  emit(signal: CliSignal): void;
}

/**
 * A CliIo that records output; env defaults to an empty XDG dir so no real user file is read.
 * `stderrIsTTY` makes stderr claim to be a terminal; `executor` replaces the real ssh.
 */
export function memoryIo(env: NodeJS.ProcessEnv = {}, stdin = '', extra: { stderrIsTTY?: boolean; executor?: SpawnExecutor } = {}): MemoryIo {
  const out: string[] = [];
  const err: string[] = [];
  const writes: MemoryIo['writes'] = [];
  const handlers = new Set<(signal: CliSignal) => void>();
  return {
    stdout: {
      write: (chunk) => {
        out.push(String(chunk));
        writes.push({ stream: 'stdout', text: String(chunk) });
      },
    },
    stderr: {
      write: (chunk) => {
        err.push(String(chunk));
        writes.push({ stream: 'stderr', text: String(chunk) });
      },
      ...(extra.stderrIsTTY !== undefined ? { isTTY: extra.stderrIsTTY } : {}),
    },
    ...(extra.executor ? { executor: extra.executor } : {}),
    writes,
    env,
    readStdin: async () => stdin,
    onSignal(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    out: () => out.join(''),
    err: () => err.join(''),
    emit: (signal) => handlers.forEach((handler) => handler(signal)),
  };
}

export function tempDir(prefix: string): { dir: string; write(name: string, text: string): string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    dir,
    write(name, text) {
      const file = path.join(dir, name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      return file;
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
