import os from 'node:os';
import { beforeEach, describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { clearSshConfigCache, parseSshGOutput, resolveSshConfigHost } from '../../src/resolve/index.js';
import { fakeExecutor, type FakeChild } from '../exec/fake-executor.js';
import { parseSshRemoteConfig } from '../../src/schemas/index.js';

const DUMP = [
  'host app',
  'user dev',
  'hostname app.corp.example',
  'port 2222',
  'identityfile ~/.ssh/id_%h_%r',
  'identityfile /keys/%n-%p.key',
  'proxyjump bastion.corp.example',
  'userknownhostsfile /root/.ssh/known_hosts /root/.ssh/known_hosts2',
  '',
].join('\n');

interface SshGOutcome {
  stdout?: string;
  stderr?: string;
  exitCode?: number;
}

/** A SpawnExecutor standing in for `ssh -G`: each spawn prints `result` (or the call's own) and exits. */
function sshG(result: SshGOutcome | ((call: number) => SshGOutcome)) {
  return fakeExecutor((child: FakeChild, index: number) => {
    const outcome = typeof result === 'function' ? result(index + 1) : result;
    child.stdout.write(outcome.stdout ?? '');
    child.stderr.write(outcome.stderr ?? '');
    child.exit(outcome.exitCode ?? 0);
  });
}

beforeEach(() => clearSshConfigCache());

describe('parseSshGOutput', () => {
  it('keeps every value of repeated options, in order, and the whole rest of the line', () => {
    const options = parseSshGOutput(DUMP);
    expect(options.identityfile).toEqual(['~/.ssh/id_%h_%r', '/keys/%n-%p.key']);
    expect(options.userknownhostsfile).toEqual(['/root/.ssh/known_hosts /root/.ssh/known_hosts2']);
    expect(options.user).toEqual(['dev']);
  });

  it('lower-cases names and tolerates CRLF and blank lines', () => {
    expect(parseSshGOutput('User dev\r\n\r\nPort 22\r\n')).toEqual({ user: ['dev'], port: ['22'] });
  });
});

describe('resolveSshConfigHost', () => {
  it('runs ssh -G -F file -- host and maps the result', async () => {
    const executor = sshG({ stdout: DUMP });
    const host = await resolveSshConfigHost('app', { executor, configFile: '/tmp/cfg', sshPath: '/usr/bin/ssh' });
    expect(executor.children.map((child) => [child.command, child.args])).toEqual([['/usr/bin/ssh', ['-G', '-F', '/tmp/cfg', '--', 'app']]]);
    // ssh -G never reads stdin, but a `Match exec` command might: it must see EOF, not wait.
    expect(executor.children[0]!.stdinEnded).toBe(true);
    expect(host).toMatchObject({
      hostname: 'app.corp.example',
      user: 'dev',
      port: 2222,
      jumpHosts: ['bastion.corp.example'],
      identityFiles: [`${os.homedir()}/.ssh/id_app.corp.example_dev`, '/keys/app-2222.key'],
    });
    expect(host.options.hostname).toEqual(['app.corp.example']);
  });

  it('ProxyJump ssh:// URIs become jumpHosts strings a remote accepts', async () => {
    const host = await resolveSshConfigHost('y', { executor: sshG({ stdout: 'user u\nhostname y\nport 22\nproxyjump ssh://ops@gw:2222,SSH://inner\n' }) });
    expect(host.jumpHosts).toEqual(['ops@gw:2222', 'inner']);
    expect(parseSshRemoteConfig({ id: 'y', host: 'y', jumpHosts: host.jumpHosts }).jumpHosts).toEqual(['ops@gw:2222', 'inner']);
  });

  it('leaves jumpHosts out when ssh has none', async () => {
    const host = await resolveSshConfigHost('x', { executor: sshG({ stdout: 'user u\nhostname x\nport 22\n' }) });
    expect(host).not.toHaveProperty('jumpHosts');
    expect(host.identityFiles).toEqual([]);
  });

  it('caches per (host, configFile, sshPath) and forgets on clearSshConfigCache', async () => {
    const executor = sshG({ stdout: DUMP });
    await resolveSshConfigHost('app', { executor });
    await resolveSshConfigHost('app', { executor });
    expect(executor.children).toHaveLength(1);
    await resolveSshConfigHost('app', { executor, configFile: '/other' });
    await resolveSshConfigHost('app', { executor, sshPath: '/opt/ssh' });
    await resolveSshConfigHost('db', { executor });
    expect(executor.children).toHaveLength(4);
    clearSshConfigCache();
    await resolveSshConfigHost('app', { executor });
    expect(executor.children).toHaveLength(5);
  });

  it('does not share a cache between executors', async () => {
    const a = sshG({ stdout: DUMP });
    const b = sshG({ stdout: DUMP.replace('user dev', 'user other') });
    expect((await resolveSshConfigHost('app', { executor: a })).user).toBe('dev');
    expect((await resolveSshConfigHost('app', { executor: b })).user).toBe('other');
  });

  it.each(['-oProxyCommand=touch /tmp/pwned', 'a b', 'tab\there', 'nl\nhost', ''])(
    'refuses %j before spawning anything',
    async (host) => {
      const executor = sshG({ stdout: DUMP });
      const error = await resolveSshConfigHost(host, { executor }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SshWrapError);
      expect((error as SshWrapError).code).toBe(host === '' ? 'INVALID_CONFIG' : 'UNSAFE_ARGUMENT');
      expect(executor.children).toHaveLength(0);
    },
  );

  it('reports ssh config errors as INVALID_CONFIG with ssh stderr, without the tty noise', async () => {
    const executor = sshG({
      exitCode: 255,
      stderr: 'Pseudo-terminal will not be allocated because stdin is not a terminal.\r\n/tmp/bad: line 2: Bad configuration option: bogus\n/tmp/bad: terminating, 1 bad configuration options\n',
    });
    const error = (await resolveSshConfigHost('x', { executor, configFile: '/tmp/bad' }).catch((e: unknown) => e)) as SshWrapError;
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain('Bad configuration option: bogus');
    expect(error.message).not.toContain('Pseudo-terminal');
    expect(error.hint).toContain('/tmp/bad');
  });

  it('does not cache failures', async () => {
    const executor = sshG((call) => (call === 1 ? { stderr: 'boom', exitCode: 255 } : { stdout: DUMP }));
    await expect(resolveSshConfigHost('app', { executor })).rejects.toThrow('boom');
    await expect(resolveSshConfigHost('app', { executor })).resolves.toMatchObject({ user: 'dev' });
  });

  it('reports an ssh that cannot be started as SPAWN_FAILED', async () => {
    for (const fail of ['sync', 'async'] as const) {
      const executor = fakeExecutor(() => {}, fail);
      await expect(resolveSshConfigHost('x', { executor, sshPath: 'nossh' })).rejects.toMatchObject({ code: 'SPAWN_FAILED' });
    }
  });

  it('rejects output without hostname/user/port', async () => {
    await expect(resolveSshConfigHost('x', { executor: sshG({ stdout: 'garbage\n' }) })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
  });

  it('an abort kills a running ssh -G and rethrows the reason as is; already aborted spawns nothing', async () => {
    const hanging = fakeExecutor(() => {});
    const controller = new AbortController();
    const pending = resolveSshConfigHost('x', { executor: hanging, signal: controller.signal });
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    expect(hanging.children[0]!.signals).toEqual(['SIGKILL']);

    const idle = sshG({ stdout: DUMP });
    await expect(resolveSshConfigHost('x', { executor: idle, signal: controller.signal })).rejects.toThrow('stop');
    expect(idle.children).toHaveLength(0);
  });

  it('kills an ssh -G that outlives timeoutMs and says so', async () => {
    const hanging = fakeExecutor((child) => child.stderr.write('debug1: Executing command: sleep 1000\n'));
    const error = (await resolveSshConfigHost('x', { executor: hanging, timeoutMs: 50 }).catch((e: unknown) => e)) as SshWrapError;
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain('killed after 50 ms');
    expect(hanging.children[0]!.signals).toEqual(['SIGKILL']);
  });
});
