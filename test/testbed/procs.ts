import fs from 'node:fs';
import { sleep } from './exec.js';

function readStat(pid: number): { state: string; ppid: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may contain spaces and parentheses; fields after the last ')' are fixed.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0] ?? '', ppid: Number(rest[1]) };
  } catch {
    return null;
  }
}

export function parentOf(pid: number): number | null {
  return readStat(pid)?.ppid ?? null;
}

/** Zombies count as dead: in containers PID 1 may never reap orphaned sshd session processes. */
export function isAlive(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
}

/**
 * All descendants of pid. Per-connection sshd processes call setsid(), so a process-group
 * kill would miss them; walking ppid links catches every session that has not daemonised.
 */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(entry));
    children.set(stat.ppid, list);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0 && found.length < 10_000) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function signal(pids: readonly number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

async function waitDead(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(20);
    alive = alive.filter(isAlive);
  }
  return alive;
}

/** SIGTERM, then SIGKILL whatever survives a bounded grace period. */
export async function terminate(pids: readonly number[], graceMs = 2_000): Promise<void> {
  signal(pids, 'SIGTERM');
  const survivors = await waitDead(pids, graceMs);
  if (survivors.length === 0) return;
  signal(survivors, 'SIGKILL');
  const stubborn = await waitDead(survivors, 2_000);
  if (stubborn.length > 0) throw new Error(`processes survived SIGKILL: ${stubborn.join(', ')}`);
}

/** Every process's pid and argv (NUL-separated) on this machine, which is both the local and the remote side in the test bed. */
export function allCommandLinesWithPid(): Array<[pid: number, cmdline: string]> {
  const lines: Array<[number, string]> = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      lines.push([Number(entry), fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8')]);
    } catch {
      // the process ended while we looked
    }
  }
  return lines;
}

/** Every process's argv (NUL-separated) on this machine. */
export function allCommandLines(): string[] {
  return allCommandLinesWithPid().map(([, line]) => line);
}
