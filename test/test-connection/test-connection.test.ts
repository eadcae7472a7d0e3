import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { SshRemoteManager, testConnection } from '../../src/test-connection/index.js';
import { parseProbeOutput, PROBE_SCRIPT } from '../../src/test-connection/probe.js';
import { fakeExecutor, type FakeChild } from '../exec/fake-executor.js';

const remote = { id: 'r1', host: 'gpu.example', username: 'dev' };

/** Plays the remote: runs the probe script with local /bin/sh, as the remote sh would. */
function probeLocally(child: FakeChild, agentPath?: string | null): void {
  const args = child.args.join(' ');
  const tag = /swm_[0-9a-f]{24}/g;
  const tags = [...args.matchAll(tag)].map((m) => m[0]);
  const probeTag = tags.find((t) => t !== child.token)!;
  child.marker('pid', 1).marker('started');
  child.stdout.write(`banner from .bashrc\n${probeTag}:hostname:gpu-box\n${probeTag}:user:dev\n${probeTag}:os:Linux\n${probeTag}:arch:aarch64\n`);
  if (agentPath !== undefined) child.stdout.write(agentPath ? `${probeTag}:agent:${agentPath}\n` : `${probeTag}:agent-missing:\n`);
  child.marker('exit', 0);
  child.exit(0);
}

describe('probe script', () => {
  it('runs under /bin/sh and prints only tagged lines', () => {
    const out = execFileSync('/bin/sh', ['-c', PROBE_SCRIPT, 'sshwrap-probe', 'TAG', 'sh'], { encoding: 'utf8' });
    const report = parseProbeOutput(out, 'TAG');
    expect(report.hostname).toBeTruthy();
    expect(report.user).toBeTruthy();
    expect(report.os).toBe(execFileSync('uname', ['-s'], { encoding: 'utf8' }).trim());
    expect(report.agentPath).toMatch(/\/sh$/);
    expect(out.split('\n').filter(Boolean).every((line) => line.startsWith('TAG:'))).toBe(true);
  });

  it('reports a missing agent, and nothing when none was asked', () => {
    const missing = execFileSync('/bin/sh', ['-c', PROBE_SCRIPT, 'sshwrap-probe', 'T', 'no-such-agent-xyz'], { encoding: 'utf8' });
    expect(parseProbeOutput(missing, 'T').agentPath).toBeNull();
    const none = execFileSync('/bin/sh', ['-c', PROBE_SCRIPT, 'sshwrap-probe', 'T'], { encoding: 'utf8' });
    expect(parseProbeOutput(none, 'T').agentPath).toBeUndefined();
  });

  it('ignores untagged and other-tagged lines', () => {
    expect(parseProbeOutput('X:hostname:evil\nhostname:evil\nT:hostname:good\r\n', 'T')).toEqual({ hostname: 'good' });
  });
});

describe('testConnection (fake executor)', () => {
  it('one ssh round trip → details', async () => {
    const executor = fakeExecutor((child) => probeLocally(child, '/home/dev/.local/bin/claude'));
    const result = await testConnection(remote, 'claude', { executor, shell: 'posix' });
    expect(executor.children).toHaveLength(1);
    expect(result).toMatchObject({
      success: true,
      details: { hostname: 'gpu-box', username: 'dev', platform: 'Linux', arch: 'aarch64', agentAvailable: true, agentPath: '/home/dev/.local/bin/claude' },
    });
    expect(result.message).toBe('Connected to gpu-box as dev (Linux aarch64); claude is /home/dev/.local/bin/claude');
    expect(result.errorKind).toBeUndefined();
  });

  it('a missing agent keeps success but says agent-not-found', async () => {
    const executor = fakeExecutor((child) => probeLocally(child, null));
    const result = await testConnection(remote, 'claude', { executor, shell: 'posix' });
    expect(result).toMatchObject({ success: true, details: { agentAvailable: false }, errorKind: 'agent-not-found' });
    expect(result.hint).toMatch(/full path/);
  });

  it('ssh failures are classified, never thrown', async () => {
    const executor = fakeExecutor((child) => {
      child.stderr.write('ssh: Could not resolve hostname gpu.example: Name or service not known\r\n');
      child.exit(255);
    });
    const result = await testConnection(remote, undefined, { executor });
    expect(result).toMatchObject({ success: false, errorKind: 'dns' });
    expect(result.error).toMatch(/Could not resolve hostname/);
    expect(result.details).toBeUndefined();
  });

  it('invalid configs and agent names are failed results, not exceptions', async () => {
    await expect(testConnection({ id: 'x', host: '-oProxyCommand=x' })).resolves.toMatchObject({ success: false });
    await expect(testConnection(remote, '-rf')).resolves.toMatchObject({ success: false });
    await expect(testConnection({ ...remote, customOptions: { ProxyCommand: 'nc %h %p' } })).resolves.toMatchObject({ success: false, hint: expect.stringMatching(/allowUnsafeOptions/) });
  });

  it('timeoutMs bounds a server that never answers; the default follows ConnectTimeout', async () => {
    const executor = fakeExecutor(() => {});
    const started = Date.now();
    const result = await testConnection(remote, undefined, { executor, timeoutMs: 50 });
    expect(result).toMatchObject({ success: false, errorKind: 'timeout' });
    // The fake never exits on its own: any finite bound proves timeoutMs stopped it.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(executor.children[0]!.signals).toContain('SIGTERM');
  }, 30_000);

  it('abort → cancelled, no errorKind', async () => {
    const controller = new AbortController();
    const executor = fakeExecutor(() => setTimeout(() => controller.abort(), 10));
    const result = await testConnection(remote, undefined, { executor, signal: controller.signal });
    expect(result).toMatchObject({ success: false, message: 'Connection test cancelled' });
    expect(result.errorKind).toBeUndefined();
  });
});

describe('SshRemoteManager', () => {
  it('tests by id or by config, and reports unknown ids', async () => {
    const executor = fakeExecutor((child) => probeLocally(child));
    const manager = new SshRemoteManager(createMemoryStoreAdapter([remote]), { executor, shell: 'posix' });
    expect((await manager.list()).map((r) => r.id)).toEqual(['r1']);
    expect(await manager.testConnection('r1')).toMatchObject({ success: true, details: { hostname: 'gpu-box' } });
    expect(await manager.testConnection({ ...remote, id: 'adhoc' })).toMatchObject({ success: true });
    expect(await manager.testConnection('nope')).toMatchObject({ success: false, error: 'SSH remote "nope" is not configured' });
  });
});
