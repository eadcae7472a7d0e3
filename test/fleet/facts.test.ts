import { describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { HostFactsSchema, parseFactsOutput } from '../../src/fleet/index.js';

const T = 'swm_0123456789abcdef01234567';
const lines = (...records: string[]): string => records.map((record) => `${T}:${record}`).join('\n') + '\n';

// Recorded from the script on a Debian 12 VM with one GPU (nvidia-smi lines from an A100 host).
const LINUX = lines(
  'begin:1',
  'hostname:gpu-1',
  'os:Linux',
  'arch:x86_64',
  'kernel:6.1.0-18-amd64',
  'cpus:16',
  'loadavg:2.50 1.20 0.90 3/612 99123',
  'meminfo:MemTotal:       65843012 kB',
  'meminfo:MemFree:         1203400 kB',
  'meminfo:MemAvailable:   51234567 kB',
  'meminfo:Buffers:          204800 kB',
  'meminfo:Cached:         40960000 kB',
  'diskpath:/home/dev',
  'df:/dev/nvme0n1p2  960186400 500000000 411355400      55% /home',
  'agent:1:/home/dev/.local/bin/claude',
  'agent-missing:2',
  'agent:3:/usr/local/bin/codex',
  'version:1:0:2.0.14 (Claude Code)',
  'version:3:137:',
  'gpu:0, NVIDIA A100-SXM4-40GB, 40960, 1024, 3',
  'gpu:1, NVIDIA A100-SXM4-40GB, 40960, 39000, [N/A]',
  'end:',
);

// macOS 14 on Apple silicon: no /proc, sysctl and vm_stat instead.
const DARWIN = lines(
  'begin:1',
  'hostname:mbp.local',
  'os:Darwin',
  'arch:arm64',
  'kernel:23.4.0',
  'cpus:10',
  'loadavg:{ 1.93 2.05 2.10 }',
  'memsize:17179869184',
  'vmstat:Mach Virtual Memory Statistics: (page size of 16384 bytes)',
  'vmstat:Pages free:                               12000.',
  'vmstat:Pages active:                            200000.',
  'vmstat:Pages inactive:                          190000.',
  'vmstat:Pages speculative:                         5000.',
  'vmstat:Pages wired down:                         80000.',
  'vmstat:Pages purgeable:                           3000.',
  'diskpath:/Users/dev',
  'df:/dev/disk3s5   482797652 256021384 205123456    56%    /System/Volumes/Data',
  'end:',
);

describe('parseFactsOutput (format 1)', () => {
  it('reads a Linux host: /proc, nproc, df -Pk, nvidia-smi, agents with versions', () => {
    const facts = parseFactsOutput(LINUX, T, ['claude', 'aider', 'codex']);
    expect(facts).toEqual({
      hostname: 'gpu-1',
      os: 'linux',
      arch: 'x86_64',
      kernel: '6.1.0-18-amd64',
      cpus: 16,
      load1: 2.5,
      memTotalBytes: 65843012 * 1024,
      memAvailableBytes: 51234567 * 1024,
      disk: { path: '/home/dev', freeBytes: 411355400 * 1024 },
      gpus: [
        { index: 0, name: 'NVIDIA A100-SXM4-40GB', memoryTotalBytes: 40960 * 2 ** 20, memoryUsedBytes: 1024 * 2 ** 20, utilizationPct: 3 },
        { index: 1, name: 'NVIDIA A100-SXM4-40GB', memoryTotalBytes: 40960 * 2 ** 20, memoryUsedBytes: 39000 * 2 ** 20, utilizationPct: null },
      ],
      agents: {
        claude: { path: '/home/dev/.local/bin/claude', version: '2.0.14 (Claude Code)' },
        aider: null,
        // found, but its --version was killed by the watchdog (137): no version
        codex: { path: '/usr/local/bin/codex', version: null },
      },
    });
    expect(HostFactsSchema.safeParse(facts).success).toBe(true);
  });

  it('reads a macOS host: sysctl hw.memsize, vm.loadavg and vm_stat pages', () => {
    const facts = parseFactsOutput(DARWIN, T, []);
    expect(facts).toMatchObject({ os: 'darwin', arch: 'arm64', cpus: 10, load1: 1.93, memTotalBytes: 17179869184, gpus: [], agents: {} });
    // free + inactive + speculative pages × 16 KiB
    expect(facts.memAvailableBytes).toBe((12000 + 190000 + 5000) * 16384);
    expect(facts.disk).toEqual({ path: '/Users/dev', freeBytes: 205123456 * 1024 });
  });

  it('gives null or empty fields for missing tools, never an error', () => {
    const facts = parseFactsOutput(lines('begin:1', 'hostname:tiny', 'os:Linux', 'cpus:', 'loadavg:', 'diskpath:/nope', 'df:', 'agent-missing:1', 'end:'), T, ['claude']);
    expect(facts).toEqual({
      hostname: 'tiny',
      os: 'linux',
      arch: '',
      kernel: '',
      cpus: null,
      load1: null,
      memTotalBytes: null,
      memAvailableBytes: null,
      disk: { path: '/nope', freeBytes: null },
      gpus: [],
      agents: { claude: null },
    });
  });

  it('falls back to MemFree + Buffers + Cached on kernels without MemAvailable (< 3.14)', () => {
    const facts = parseFactsOutput(lines('begin:1', 'meminfo:MemTotal: 1000 kB', 'meminfo:MemFree: 100 kB', 'meminfo:Buffers: 20 kB', 'meminfo:Cached: 300 kB', 'end:'), T, []);
    expect(facts.memAvailableBytes).toBe(420 * 1024);
  });

  it('ignores untagged lines (login noise, another probe) and CRs', () => {
    const noisy = `Welcome!\nswm_other:begin:1\n${LINUX.replace(/\n/g, '\r\n')}bye\n`;
    expect(parseFactsOutput(noisy, T, ['claude', 'aider', 'codex']).cpus).toBe(16);
  });

  it('is strict: unknown records, repeats, another version, missing begin/end are PROBE_FAILED', () => {
    const bad = [
      lines('begin:1', 'swap:123', 'end:'),
      lines('begin:1', 'cpus:1', 'cpus:2', 'end:'),
      lines('begin:2', 'end:'),
      lines('cpus:2', 'end:'),
      lines('begin:1', 'cpus:2'),
      lines('begin:1', 'end:', 'cpus:2'),
      `${T}:nokey\n`,
    ];
    for (const output of bad) {
      let caught: unknown;
      try {
        parseFactsOutput(output, T, []);
      } catch (error) {
        caught = error;
      }
      expect(caught, output).toBeInstanceOf(SshWrapError);
      expect((caught as SshWrapError).code, output).toBe('PROBE_FAILED');
    }
  });

  it('caps an agent version to one 200-character line', () => {
    const facts = parseFactsOutput(lines('begin:1', 'agent:1:/bin/a', `version:1:0:${'v'.repeat(500)}`, 'end:'), T, ['a']);
    expect(facts.agents.a?.version).toHaveLength(200);
  });
});
