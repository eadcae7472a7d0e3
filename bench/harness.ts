import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** Milliseconds since an arbitrary origin, sub-µs resolution. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Rejects after `ms`: every phase of the bench is bounded. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Samples this process's RSS while `work` runs; returns the peak (bytes) and the work's result. */
export async function peakRss<T>(work: () => Promise<T>, everyMs = 10): Promise<{ value: T; peakRssBytes: number; baselineRssBytes: number }> {
  const baselineRssBytes = process.memoryUsage.rss();
  let peakRssBytes = baselineRssBytes;
  const timer = setInterval(() => {
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
  }, everyMs);
  try {
    const value = await work();
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
    return { value, peakRssBytes, baselineRssBytes };
  } finally {
    clearInterval(timer);
  }
}

export interface Machine {
  nproc: number;
  cpu: string;
  openssh: string;
  node: string;
  platform: string;
  memoryGiB: number;
}

export function machine(): Machine {
  let openssh = 'unknown';
  try {
    // `ssh -V` prints on stderr.
    openssh = execFileSync('sh', ['-c', 'ssh -V 2>&1'], { encoding: 'utf8' }).trim();
  } catch {
    // keep 'unknown'
  }
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    openssh,
    node: process.version,
    platform: `${process.platform} ${os.release()}`,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  };
}

/** One row of the printed table. */
export interface Row {
  section: string;
  metric: string;
  value: string;
  goal?: string;
  met?: boolean;
}

export function printTable(rows: readonly Row[]): void {
  const header = ['#', 'metric', 'measured', 'goal', 'met'];
  const body = rows.map((row) => [row.section, row.metric, row.value, row.goal ?? '', row.met === undefined ? '' : row.met ? 'yes' : 'NO']);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const cells of body) console.log(line(cells));
}

export const fmt = {
  us: (ms: number): string => `${(ms * 1000).toFixed(2)} µs`,
  ms: (ms: number): string => `${ms.toFixed(1)} ms`,
  ratio: (value: number): string => `${value.toFixed(2)}x`,
  mbps: (value: number): string => `${value.toFixed(0)} MB/s`,
  mib: (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`,
};

/** Lets sshd's connection accounting settle between burst series (MaxStartups counts linger briefly). */
export const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1_500));

/** Failure messages counted by their last line (ssh's own words), for a burst's summary. */
export function tally(messages: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const message of messages) {
    const key = message.trim().split('\n').at(-1)!.slice(0, 120) || '(no message)';
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
