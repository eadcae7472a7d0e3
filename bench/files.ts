/**
 * File transfer throughput: `uploadFile` / `downloadFile` of a 50 MB random file (direct and
 * pooled) against raw `scp` of the same file to the same sshd and user, interleaved, in the same
 * run. `node --import tsx bench/files.ts [MB] [rounds]`; figures go to docs/benchmarks.md.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { downloadFile, remoteFs, uploadFile } from '../src/files/index.js';
import { ConnectionPool } from '../src/pool/index.js';
import { startBenchBed, stopBenchBed } from './bed.js';
import { median } from './harness.js';

const megabytes = Number(process.argv[2] ?? 50);
const rounds = Number(process.argv[3] ?? 5);
const bytes = megabytes * 1024 * 1024;

function scp(args: string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('scp', ['-q', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('close', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`scp exited ${code}`))));
  });
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

const bench = await startBenchBed();
const local = fs.mkdtempSync(path.join(os.tmpdir(), 'swb-files-'));
const source = path.join(local, 'source.bin');
fs.writeFileSync(source, randomBytes(bytes));
const name = `swb-files-${randomBytes(4).toString('hex')}.bin`;
const pool = new ConnectionPool({ controlDir: bench.controlDir });
const { bed, remote, store } = bench;
const scpBase = ['-F', bed.clientConfigFile, '-P', String(bed.port)];
const at = `${bench.user}@${bed.host}`;
const times: Record<string, number[]> = { 'upload direct': [], 'upload pooled': [], 'scp upload': [], 'download direct': [], 'download pooled': [], 'scp download': [] };
let peakRss = 0;
const baseRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss - baseRss)), 20);
try {
  // Warm the pool's master once, as an app that already ran something on the host has it.
  await remoteFs(remote, store, { connectionPool: pool }).stat('~');
  for (let round = 0; round < rounds; round++) {
    times['upload direct']!.push(await timed(() => uploadFile(remote, store, source, `~/${name}`, { multiplex: false })));
    times['upload pooled']!.push(await timed(() => uploadFile(remote, store, source, `~/${name}`, { connectionPool: pool })));
    times['scp upload']!.push(await scp([...scpBase, source, `${at}:${name}`]));
    times['download direct']!.push(await timed(() => downloadFile(remote, store, `~/${name}`, path.join(local, 'down.bin'), { multiplex: false })));
    times['download pooled']!.push(await timed(() => downloadFile(remote, store, `~/${name}`, path.join(local, 'down.bin'), { connectionPool: pool })));
    times['scp download']!.push(await scp([...scpBase, `${at}:${name}`, path.join(local, 'scp.bin')]));
  }
  clearInterval(sampler);
  const mbps = (ms: number): number => bytes / 1e6 / (ms / 1000);
  console.log(`${megabytes} MiB (${bytes} bytes), ${rounds} rounds, login shell ${bench.loginShell}`);
  const medians = Object.fromEntries(Object.entries(times).map(([key, list]) => [key, median(list)]));
  for (const [key, ms] of Object.entries(medians)) console.log(`${key.padEnd(16)} median ${ms.toFixed(0).padStart(6)} ms  ${mbps(ms).toFixed(0).padStart(4)} MB/s  (${times[key]!.map((t) => t.toFixed(0)).join(', ')})`);
  console.log(`upload direct / scp: ${(mbps(medians['upload direct']!) / mbps(medians['scp upload']!)).toFixed(2)}x, pooled / scp: ${(mbps(medians['upload pooled']!) / mbps(medians['scp upload']!)).toFixed(2)}x`);
  console.log(`download direct / scp: ${(mbps(medians['download direct']!) / mbps(medians['scp download']!)).toFixed(2)}x, pooled / scp: ${(mbps(medians['download pooled']!) / mbps(medians['scp download']!)).toFixed(2)}x`);
  console.log(`peak RSS growth of this process over all transfers: ${(peakRss / 1024 / 1024).toFixed(1)} MiB`);
} finally {
  clearInterval(sampler);
  await remoteFs(remote, store, { connectionPool: pool }).remove(`~/${name}`).catch(() => {});
  await pool.closeAll();
  fs.rmSync(local, { recursive: true, force: true });
  await stopBenchBed(bench);
}
