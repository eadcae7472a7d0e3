import { z } from 'zod';
import { SshWrapError } from '../errors/index.js';

/**
 * One NVIDIA GPU as `nvidia-smi --query-gpu=index,name,memory.total,memory.used,utilization.gpu`
 * reports it (MiB converted to bytes; `utilizationPct` is `null` where the driver says `[N/A]`).
 *
 * @example
 * ```ts
 * GpuFactsSchema.parse({ index: 0, name: 'NVIDIA A100', memoryTotalBytes: 42949672960, memoryUsedBytes: 0, utilizationPct: null });
 * ```
 */
export const GpuFactsSchema = z.strictObject({
  index: z.number().int().nonnegative(),
  name: z.string(),
  memoryTotalBytes: z.number().nonnegative(),
  memoryUsedBytes: z.number().nonnegative(),
  utilizationPct: z.number().min(0).max(100).nullable(),
});

/**
 * An agent found on the remote PATH: where, and the first line of its `--version` (or `null`).
 *
 * @example
 * ```ts
 * AgentFactsSchema.parse({ path: '/home/dev/.local/bin/claude', version: '2.0.14 (Claude Code)' });
 * ```
 */
export const AgentFactsSchema = z.strictObject({ path: z.string(), version: z.string().nullable() });

/**
 * What {@link probeHost} learns about a host in one round trip. Numbers are `null` when the tool
 * that reports them is missing or printed something unreadable (see docs/fleet.md for the source
 * of every field on Linux and macOS). Bytes are bytes, `load1` is the 1-minute load average.
 *
 * @example
 * ```ts
 * const facts: HostFacts = HostFactsSchema.parse({
 *   hostname: 'gpu-1', os: 'linux', arch: 'x86_64', kernel: '6.1.0', cpus: 16, load1: 0.4,
 *   memTotalBytes: 64e9, memAvailableBytes: 50e9, disk: { path: '/home/dev', freeBytes: 2e11 },
 *   gpus: [], agents: { claude: { path: '/home/dev/.local/bin/claude', version: '2.0.1' } },
 * });
 * ```
 */
export const HostFactsSchema = z.strictObject({
  hostname: z.string(),
  /** `uname -s` in lower case: `'linux'`, `'darwin'`, or whatever else the host says (`'freebsd'`). */
  os: z.string(),
  arch: z.string(),
  kernel: z.string(),
  cpus: z.number().int().positive().nullable(),
  load1: z.number().nonnegative().nullable(),
  memTotalBytes: z.number().nonnegative().nullable(),
  memAvailableBytes: z.number().nonnegative().nullable(),
  /** Free space for an unprivileged user (`df -Pk` "Available") of the filesystem holding `path`. */
  disk: z.strictObject({ path: z.string(), freeBytes: z.number().nonnegative().nullable() }),
  gpus: z.array(GpuFactsSchema),
  /** One entry per agent asked for: `null` when `command -v` did not find it on the run's PATH. */
  agents: z.record(z.string(), AgentFactsSchema.nullable()),
});

/**
 * See {@link HostFactsSchema}.
 *
 * @example
 * ```ts
 * const facts: HostFacts = await probeHost('gpu-1', store, { agents: ['claude'] });
 * ```
 */
export type HostFacts = z.infer<typeof HostFactsSchema>;
/**
 * See `GpuFactsSchema`.
 *
 * @example
 * ```ts
 * const gpu: GpuFacts = { index: 0, name: 'NVIDIA A100', memoryTotalBytes: 42_949_672_960, memoryUsedBytes: 1_073_741_824, utilizationPct: 3 };
 * ```
 */
export type GpuFacts = z.infer<typeof GpuFactsSchema>;

/** Version of the record format below; the script announces it in its `begin` record. */
export const FACTS_FORMAT_VERSION = '1';

/**
 * Record keys of format 1. Each record is one line `<tag>:<key>:<value>`; `<tag>` is a random
 * token per probe, `<value>` runs to the end of the line. Single-valued keys may appear once.
 */
const SINGLE_KEYS = new Set(['begin', 'hostname', 'os', 'arch', 'kernel', 'cpus', 'loadavg', 'memsize', 'diskpath', 'df', 'end']);
const REPEATED_KEYS = new Set(['meminfo', 'vmstat', 'gpu', 'agent', 'agent-missing', 'version']);

// Agent versions and the like are printed by programs we do not control: keep one bounded line.
const MAX_VALUE_CHARS = 200;

function fail(message: string): never {
  throw new SshWrapError('PROBE_FAILED', `Host facts output is invalid: ${message}`, {
    hint: 'The facts script printed something format 1 does not allow; this is a bug in sshwrap or the remote tampered with the output.',
  });
}

function number(text: string | undefined): number | null {
  if (text === undefined) return null;
  const trimmed = text.trim();
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return null;
  return Number(trimmed);
}

interface Records {
  single: Map<string, string>;
  repeated: Map<string, string[]>;
}

/** Splits the tagged lines into records, refusing anything format 1 does not define. */
function readRecords(stdout: string, tag: string): Records {
  const single = new Map<string, string>();
  const repeated = new Map<string, string[]>();
  const prefix = `${tag}:`;
  let begun = false;
  for (const raw of stdout.split('\n')) {
    // Untagged lines are not ours (the run's output is framed already; this is belt and braces).
    if (!raw.startsWith(prefix)) continue;
    const line = raw.replace(/\r$/, '');
    const rest = line.slice(prefix.length);
    const colon = rest.indexOf(':');
    if (colon < 0) fail(`record without a key: ${JSON.stringify(line.slice(0, 80))}`);
    const key = rest.slice(0, colon);
    const value = rest.slice(colon + 1);
    if (!begun && key !== 'begin') fail(`record "${key}" before "begin"`);
    if (single.has('end')) fail(`record "${key}" after "end"`);
    if (SINGLE_KEYS.has(key)) {
      if (single.has(key)) fail(`record "${key}" twice`);
      single.set(key, value);
      if (key === 'begin') {
        if (value !== FACTS_FORMAT_VERSION) fail(`format version ${JSON.stringify(value)}, expected ${FACTS_FORMAT_VERSION}`);
        begun = true;
      }
    } else if (REPEATED_KEYS.has(key)) {
      repeated.set(key, [...(repeated.get(key) ?? []), value]);
    } else {
      fail(`unknown record "${key}"`);
    }
  }
  if (!begun) fail('no "begin" record (the script did not run)');
  if (!single.has('end')) fail('no "end" record (the output was cut short)');
  return { single, repeated };
}

/** `/proc/meminfo` lines (`MemAvailable:  123 kB`) → bytes by field name. */
function meminfo(lines: readonly string[]): Map<string, number> {
  const fields = new Map<string, number>();
  for (const line of lines) {
    const match = /^(\w+):\s*(\d+)\s*kB\s*$/.exec(line);
    if (match) fields.set(match[1]!, Number(match[2]) * 1024);
  }
  return fields;
}

/** macOS `vm_stat`: the page size from its header, and each "Pages …" counter. */
function vmStatAvailable(lines: readonly string[]): number | null {
  const pageSize = Number(/page size of (\d+) bytes/.exec(lines[0] ?? '')?.[1]);
  if (!Number.isFinite(pageSize) || pageSize <= 0) return null;
  const pages = new Map<string, number>();
  for (const line of lines.slice(1)) {
    const match = /^Pages ([\w ]+):\s*(\d+)\.?\s*$/.exec(line);
    if (match) pages.set(match[1]!, Number(match[2]));
  }
  // What macOS can hand out without swapping: free, inactive (file cache it may drop) and
  // speculative pages; "purgeable" is already counted inside those.
  const parts = ['free', 'inactive', 'speculative'].map((name) => pages.get(name));
  if (parts[0] === undefined) return null;
  return parts.reduce<number>((sum, count) => sum + (count ?? 0), 0) * pageSize;
}

/** `df -Pk` data line: the "Available" column is the one before the `NN%` capacity column. */
function dfAvailableBytes(line: string | undefined): number | null {
  if (!line) return null;
  const fields = line.trim().split(/\s+/);
  const capacity = fields.findIndex((field, index) => index > 0 && /^\d+%$/.test(field));
  // Index 0 is the filesystem name; the capacity column needs the three size columns before it.
  if (capacity < 3) return null;
  const kib = number(fields[capacity - 1]);
  return kib === null ? null : kib * 1024;
}

function load1(text: string | undefined): number | null {
  // Linux "0.52 0.58 0.59 1/123 4567"; macOS sysctl vm.loadavg "{ 1.23 1.10 1.05 }".
  const first = text?.replace(/[{}]/g, ' ').trim().split(/\s+/)[0];
  return number(first);
}

function gpu(line: string): GpuFacts | null {
  const [index, name, total, used, utilization] = line.split(',').map((field) => field.trim());
  const mib = 1024 * 1024;
  const i = number(index);
  const t = number(total);
  const u = number(used);
  if (i === null || t === null || u === null || name === undefined) return null;
  const pct = number(utilization);
  return { index: i, name, memoryTotalBytes: t * mib, memoryUsedBytes: u * mib, utilizationPct: pct !== null && pct <= 100 ? pct : null };
}

/** `<index>:<rest>` → [index, rest]. */
function indexed(value: string): [number, string] | null {
  const colon = value.indexOf(':');
  const index = number(value.slice(0, colon < 0 ? undefined : colon));
  return index === null ? null : [index, colon < 0 ? '' : value.slice(colon + 1)];
}

function agents(records: Records, names: readonly string[]): HostFacts['agents'] {
  const found = new Map<number, string>();
  for (const value of records.repeated.get('agent') ?? []) {
    const entry = indexed(value);
    if (entry) found.set(entry[0], entry[1]);
  }
  const versions = new Map<number, string | null>();
  for (const value of records.repeated.get('version') ?? []) {
    // `<index>:<exit status>:<first non-blank output line>`
    const entry = indexed(value);
    if (!entry) continue;
    const status = indexed(entry[1]);
    const line = status?.[1].trim().slice(0, MAX_VALUE_CHARS);
    versions.set(entry[0], status?.[0] === 0 && line ? line : null);
  }
  const result: HostFacts['agents'] = {};
  names.forEach((name, position) => {
    const index = position + 1;
    const path = found.get(index);
    result[name] = path === undefined ? null : { path, version: versions.get(index) ?? null };
  });
  return result;
}

/**
 * Reads the output of the facts script (format 1, see {@link FACTS_FORMAT_VERSION}). Only lines
 * starting with `<tag>:` are records; every record must be one format 1 defines, framed by
 * `begin:1` … `end:`. A missing tool gives a `null`/empty field, never an error.
 *
 * @param agentNames the agents the script was asked about, in the order they were passed.
 * @throws {SshWrapError} `PROBE_FAILED` for an unknown record, a repeated single record, another
 *   format version, or output without `begin`/`end`.
 * @example
 * ```ts
 * parseFactsOutput('T:begin:1\nT:hostname:gpu\nT:os:Linux\nT:cpus:8\nT:end:\n', 'T', []).cpus; // 8
 * ```
 */
export function parseFactsOutput(stdout: string, tag: string, agentNames: readonly string[]): HostFacts {
  const records = readRecords(stdout, tag);
  const { single, repeated } = records;
  const mem = meminfo(repeated.get('meminfo') ?? []);
  const linuxAvailable = mem.get('MemAvailable') ?? (mem.has('MemFree') ? mem.get('MemFree')! + (mem.get('Buffers') ?? 0) + (mem.get('Cached') ?? 0) : undefined);
  const cpus = number(single.get('cpus'));
  return {
    hostname: single.get('hostname') ?? '',
    os: (single.get('os') ?? '').toLowerCase(),
    arch: single.get('arch') ?? '',
    kernel: single.get('kernel') ?? '',
    cpus: cpus !== null && Number.isInteger(cpus) && cpus > 0 ? cpus : null,
    load1: load1(single.get('loadavg')),
    memTotalBytes: mem.get('MemTotal') ?? number(single.get('memsize')),
    memAvailableBytes: linuxAvailable ?? vmStatAvailable(repeated.get('vmstat') ?? []),
    disk: { path: single.get('diskpath') ?? '', freeBytes: dfAvailableBytes(single.get('df')) },
    gpus: (repeated.get('gpu') ?? []).map(gpu).filter((entry): entry is GpuFacts => entry !== null),
    agents: agents(records, agentNames),
  };
}
