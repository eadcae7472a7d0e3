/**
 * `npm run bench`: sshwrap against a throwaway loopback sshd with OpenSSH's default limits.
 * Every figure is a ratio measured in this same run (shared machines are noisy); the table is
 * printed and the raw numbers go to bench/results/<timestamp>.json.
 *
 * Options: `--only=1,3` runs some sections (5: fleet fan-out); `--runs=N` sets section 2's run count (default 50).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBenchBed, stopBenchBed, type BenchBed } from './bed.js';
import { benchBurst, type BurstResult } from './burst.js';
import { benchFleet, type FleetResult } from './fleet.js';
import { fmt, machine, printTable, withTimeout, type Row } from './harness.js';
import { benchSequential, type SequentialResult } from './sequential.js';
import { benchThroughput, type ThroughputResult } from './throughput.js';
import { benchWrapPath, type WrapPathResult } from './wrap-path.js';

const TOTAL_BUDGET_MS = 10 * 60_000;
const here = path.dirname(fileURLToPath(import.meta.url));

function option(name: string): string | undefined {
  return process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
}

interface Results {
  date: string;
  machine: ReturnType<typeof machine>;
  bed?: { mode: BenchBed['mode']; user: string; loginShell: string };
  wrapPath?: WrapPathResult;
  sequential?: SequentialResult;
  burst?: BurstResult;
  throughput?: ThroughputResult;
  fleet?: FleetResult;
}

function rows(results: Results): Row[] {
  const out: Row[] = [];
  const { wrapPath, sequential, burst, throughput, fleet } = results;
  if (wrapPath) {
    const entries = Object.entries(wrapPath.medianUs);
    const full = entries[0]!;
    out.push({ section: '1', metric: `${full[0]}, median`, value: `${full[1].toFixed(2)} µs`, goal: '≤ 5 µs', met: full[1] <= 5 });
    for (const [name, us] of entries.slice(1)) out.push({ section: '1', metric: name, value: `${us.toFixed(2)} µs` });
  }
  if (sequential) {
    const s = sequential;
    out.push({ section: '2', metric: `cold run (multiplex off), median of ${s.runs}`, value: fmt.ms(s.cold.medianMs) });
    out.push({ section: '2', metric: `pooled run, median of ${s.runs}`, value: fmt.ms(s.pooled.medianMs) });
    out.push({ section: '2', metric: 'first pooled run (starts the master)', value: fmt.ms(s.pooledFirstMs) });
    out.push({ section: '2', metric: 'raw `ssh -S` `true` on a hand-made master, median', value: fmt.ms(s.rawMaster.medianMs) });
    out.push({ section: '2', metric: 'raw `ssh -S` with the library\'s remote command, median', value: fmt.ms(s.rawMasterSameCommand.medianMs) });
    out.push({ section: '2', metric: 'cold / pooled', value: fmt.ratio(s.coldOverPooled), goal: '≥ 25x', met: s.coldOverPooled >= 25 });
    out.push({ section: '2', metric: 'pooled / raw `ssh -S` `true`', value: fmt.ratio(s.pooledOverRawMaster), goal: '≤ 1.2x', met: s.pooledOverRawMaster <= 1.2 });
    out.push({ section: '2', metric: 'pooled / raw `ssh -S` same remote command', value: fmt.ratio(s.pooledOverRawSameCommand) });
    out.push({ section: '2', metric: 'pooled: library time before ssh is spawned, median', value: fmt.ms(s.pooledPreSpawnMs) });
    const failed = s.cold.failures + s.pooled.failures + s.rawMaster.failures + s.rawMasterSameCommand.failures;
    if (failed > 0) out.push({ section: '2', metric: 'failed runs (any series)', value: String(failed) });
  }
  if (burst) {
    const b = burst;
    const n = b.concurrency;
    out.push({ section: '3', metric: `${n} concurrent, pooled (defaults): succeeded`, value: `${b.pooled.succeeded}/${n}`, goal: `${n}/${n}`, met: b.pooled.succeeded === n });
    out.push({ section: '3', metric: `${n} concurrent, pooled: wall time`, value: fmt.ms(b.pooled.wallMs) });
    out.push({ section: '3', metric: `${n} concurrent, library multiplex off: succeeded`, value: `${b.unpooled.succeeded}/${n}` });
    out.push({ section: '3', metric: `${n} concurrent, library multiplex off: wall time`, value: fmt.ms(b.unpooled.wallMs) });
    out.push({ section: '3', metric: `${n} concurrent raw \`ssh\`: succeeded`, value: `${b.raw.succeeded}/${n}` });
    out.push({ section: '3', metric: `${n} concurrent raw \`ssh\`: wall time`, value: fmt.ms(b.raw.wallMs) });
  }
  if (throughput) {
    const t = throughput;
    out.push({ section: '4', metric: `library, direct: ${t.bytes / 1e6} MB stdin prompt`, value: fmt.mbps(t.libraryDirect.mbPerSecond) });
    out.push({ section: '4', metric: 'raw `ssh host cat`, direct', value: fmt.mbps(t.rawDirect.mbPerSecond) });
    out.push({ section: '4', metric: 'library: time before ssh is spawned (prompt checks)', value: fmt.ms(t.libraryDirect.preSpawnMs ?? Number.NaN) });
    out.push({ section: '4', metric: 'library direct / raw direct', value: fmt.ratio(t.libraryDirectOverRawDirect), goal: '≥ 0.9x', met: t.libraryDirectOverRawDirect >= 0.9 });
    out.push({ section: '4', metric: 'library, pooled', value: fmt.mbps(t.libraryPooled.mbPerSecond) });
    out.push({ section: '4', metric: 'raw `ssh -S` cat, hand-made master', value: fmt.mbps(t.rawMaster.mbPerSecond) });
    out.push({ section: '4', metric: 'library pooled / raw `ssh -S`', value: fmt.ratio(t.libraryPooledOverRawMaster), goal: '≥ 0.9x', met: t.libraryPooledOverRawMaster >= 0.9 });
    out.push({ section: '4', metric: 'peak RSS growth during a library run (direct / pooled)', value: `${fmt.mib(t.libraryDirect.peakExtraRssBytes)} / ${fmt.mib(t.libraryPooled.peakExtraRssBytes)}` });
    out.push({ section: '4', metric: 'peak RSS growth during a raw run (direct)', value: fmt.mib(t.rawDirect.peakExtraRssBytes) });
    out.push({ section: '4', metric: 'peak RSS of the Node process', value: fmt.mib(Math.max(t.libraryDirect.peakRssBytes, t.libraryPooled.peakRssBytes)) });
  }
  if (fleet) {
    const f = fleet;
    const head = `${f.remotes} remotes, concurrency ${f.concurrency}`;
    const limit = Number(f.maxStartupsSetting.split('-')[0]);
    for (const [label, side] of [['runOnMany pooled (default)', f.pooled], ['runOnMany pooled, again on warm masters', f.pooledWarm], ['runOnMany multiplex off', f.unpooled], ['`xargs -P` raw `ssh`', f.raw]] as const) {
      out.push({ section: '5', metric: `${head}, ${label}: succeeded`, value: `${side.succeeded}/${f.remotes}`, goal: label.startsWith('runOnMany') ? `${f.remotes}/${f.remotes}` : undefined, met: label.startsWith('runOnMany') ? side.succeeded === f.remotes : undefined });
      out.push({ section: '5', metric: `${head}, ${label}: wall time`, value: fmt.ms(side.wallMs) });
      out.push({
        section: '5',
        metric: `${head}, ${label}: max unauthenticated at sshd (MaxStartups ${f.maxStartupsSetting})`,
        value: String(side.maxStartups),
        goal: label.startsWith('runOnMany') ? `< ${limit}` : undefined,
        met: label.startsWith('runOnMany') ? side.maxStartups < limit : undefined,
      });
    }
    out.push({ section: '5', metric: 'runOnMany pooled / `xargs -P` raw ssh, wall time', value: fmt.ratio(f.pooled.wallMs / f.raw.wallMs) });
    out.push({ section: '5', metric: 'runOnMany multiplex off / `xargs -P` raw ssh, wall time', value: fmt.ratio(f.unpooled.wallMs / f.raw.wallMs) });
    out.push({ section: '5', metric: 'runOnMany on warm masters / `xargs -P` raw ssh, wall time', value: fmt.ratio(f.pooledWarm.wallMs / f.raw.wallMs) });
  }
  return out;
}

async function main(): Promise<void> {
  const only = new Set((option('only') ?? '1,2,3,4,5').split(','));
  const runs = Number(option('runs') ?? 50);
  const results: Results = { date: new Date().toISOString(), machine: machine() };
  console.log(`sshwrap bench on ${results.machine.cpu} × ${results.machine.nproc}, ${results.machine.openssh}, Node ${results.machine.node}`);

  if (only.has('1')) {
    console.log('1/4 wrap path (tinybench) …');
    results.wrapPath = await benchWrapPath();
  }
  if (only.has('2') || only.has('3') || only.has('4') || only.has('5')) {
    console.log('starting a throwaway sshd (default MaxStartups/MaxSessions) …');
    const bench = await startBenchBed();
    results.bed = { mode: bench.mode, user: bench.user, loginShell: bench.loginShell };
    if (bench.mode === 'current') console.log(`note: not root, so runs use ${bench.user}'s own login shell and rc files; expect lower ratios`);
    try {
      if (only.has('2')) {
        console.log(`2/4 sequential ${runs} × true …`);
        results.sequential = await benchSequential(bench, runs);
      }
      if (only.has('3')) {
        console.log('3/4 burst of 64 …');
        results.burst = await benchBurst(bench);
      }
      if (only.has('4')) {
        console.log('4/4 100 MB stdin …');
        results.throughput = await benchThroughput(bench);
      }
      if (only.has('5')) {
        console.log('5/5 fan-out to 50 remotes, concurrency 16 …');
        results.fleet = await benchFleet(bench);
      }
    } finally {
      await stopBenchBed(bench);
    }
  }

  console.log('');
  printTable(rows(results));
  if (results.fleet) {
    for (const [label, side] of [['fleet pooled', results.fleet.pooled], ['fleet pooled warm', results.fleet.pooledWarm], ['fleet multiplex off', results.fleet.unpooled], ['fleet xargs raw ssh', results.fleet.raw]] as const) {
      for (const [message, count] of Object.entries(side.failures)) console.log(`  ${label} failure ×${count}: ${message}`);
    }
  }
  if (results.burst) {
    for (const [label, side] of [['library multiplex off', results.burst.unpooled], ['raw ssh', results.burst.raw], ['pooled', results.burst.pooled]] as const) {
      for (const [message, count] of Object.entries(side.failures)) console.log(`  ${label} failure ×${count}: ${message}`);
    }
  }
  const dir = path.join(here, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${results.date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nraw results: ${path.relative(process.cwd(), file)}`);
}

withTimeout(main(), TOTAL_BUDGET_MS, 'the benchmark').then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
