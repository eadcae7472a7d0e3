import os from 'node:os';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import {
  clearSshConfigCache,
  parseSshGOutput,
  resolveSshConfigHost,
  type ExecFileExecutor,
  type ExecFileResult,
} from '../../src/resolve/index.js';

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

function fakeExecutor(result: Partial<ExecFileResult> | (() => Promise<ExecFileResult>)) {
  const execFile = vi.fn<ExecFileExecutor['execFile']>(
    typeof result === 'function' ? result : async () => ({ stdout: '', stderr: '', exitCode: 0, ...result }),
  );
  return { execFile };
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
    const executor = fakeExecutor({ stdout: DUMP });
    const host = await resolveSshConfigHost('app', { executor, configFile: '/tmp/cfg', sshPath: '/usr/bin/ssh' });
    expect(executor.execFile).toHaveBeenCalledWith('/usr/bin/ssh', ['-G', '-F', '/tmp/cfg', '--', 'app'], expect.objectContaining({ timeoutMs: 10_000 }));
    expect(host).toMatchObject({
      hostname: 'app.corp.example',
      user: 'dev',
      port: 2222,
      jumpHosts: ['bastion.corp.example'],
      identityFiles: [`${os.homedir()}/.ssh/id_app.corp.example_dev`, '/keys/app-2222.key'],
    });
    expect(host.options.hostname).toEqual(['app.corp.example']);
  });

  it('leaves jumpHosts out when ssh has none', async () => {
    const host = await resolveSshConfigHost('x', { executor: fakeExecutor({ stdout: 'user u\nhostname x\nport 22\n' }) });
    expect(host).not.toHaveProperty('jumpHosts');
    expect(host.identityFiles).toEqual([]);
  });

  it('caches per (host, configFile, sshPath) and forgets on clearSshConfigCache', async () => {
    const executor = fakeExecutor({ stdout: DUMP });
    await resolveSshConfigHost('app', { executor });
    await resolveSshConfigHost('app', { executor });
    expect(executor.execFile).toHaveBeenCalledTimes(1);
    await resolveSshConfigHost('app', { executor, configFile: '/other' });
    await resolveSshConfigHost('app', { executor, sshPath: '/opt/ssh' });
    await resolveSshConfigHost('db', { executor });
    expect(executor.execFile).toHaveBeenCalledTimes(4);
    clearSshConfigCache();
    await resolveSshConfigHost('app', { executor });
    expect(executor.execFile).toHaveBeenCalledTimes(5);
  });

  it('does not share a cache between executors', async () => {
    const a = fakeExecutor({ stdout: DUMP });
    const b = fakeExecutor({ stdout: DUMP.replace('user dev', 'user other') });
    expect((await resolveSshConfigHost('app', { executor: a })).user).toBe('dev');
    expect((await resolveSshConfigHost('app', { executor: b })).user).toBe('other');
  });

  it.each(['-oProxyCommand=touch /tmp/pwned', 'a b', 'tab\there', 'nl\nhost', ''])(
    'refuses %j before spawning anything',
    async (host) => {
      const executor = fakeExecutor({ stdout: DUMP });
      const error = await resolveSshConfigHost(host, { executor }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SshWrapError);
      expect((error as SshWrapError).code).toBe(host === '' ? 'INVALID_CONFIG' : 'UNSAFE_ARGUMENT');
      expect(executor.execFile).not.toHaveBeenCalled();
    },
  );

  it('reports ssh config errors as INVALID_CONFIG with ssh stderr, without the tty noise', async () => {
    const executor = fakeExecutor({
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
    let calls = 0;
    const executor = fakeExecutor(async () => (++calls === 1 ? { stdout: '', stderr: 'boom', exitCode: 255 } : { stdout: DUMP, stderr: '', exitCode: 0 }));
    await expect(resolveSshConfigHost('app', { executor })).rejects.toThrow('boom');
    await expect(resolveSshConfigHost('app', { executor })).resolves.toMatchObject({ user: 'dev' });
  });

  it('reports an ssh that cannot be started as SPAWN_FAILED', async () => {
    const executor = fakeExecutor(async () => {
      throw Object.assign(new Error('spawn nossh ENOENT'), { code: 'ENOENT' });
    });
    await expect(resolveSshConfigHost('x', { executor, sshPath: 'nossh' })).rejects.toMatchObject({ code: 'SPAWN_FAILED' });
  });

  it('rejects output without hostname/user/port', async () => {
    await expect(resolveSshConfigHost('x', { executor: fakeExecutor({ stdout: 'garbage\n' }) })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
  });

  it('passes the abort signal through and rethrows the abort as is', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    const executor = fakeExecutor(async () => {
      throw controller.signal.reason;
    });
    await expect(resolveSshConfigHost('x', { executor, signal: controller.signal })).rejects.toThrow('stop');
    expect(executor.execFile.mock.calls[0]![2].signal).toBe(controller.signal);
  });
});
