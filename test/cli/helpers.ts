import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CliIo, CliSignal } from '../../src/cli/io.js';

export interface MemoryIo extends CliIo {
  out(): string;
  err(): string;
  /** Delivers a signal to the subscribed handlers, as the process would. */
  emit(signal: CliSignal): void;
}

/** A CliIo that records output; env defaults to an empty XDG dir so no real user file is read. */
export function memoryIo(env: NodeJS.ProcessEnv = {}, stdin = ''): MemoryIo {
  const out: string[] = [];
  const err: string[] = [];
  const handlers = new Set<(signal: CliSignal) => void>();
  return {
    stdout: { write: (chunk) => out.push(String(chunk)) },
    stderr: { write: (chunk) => err.push(String(chunk)) },
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
