import { describe, expect, it } from 'vitest';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { wrapSpawnWithSsh } from '../../src/exec/index.js';
import { buildPowerShellScript, powerShellCommand } from '../../src/wrap/index.js';

const decode = (command: string) => Buffer.from(command.split(' ').at(-1)!, 'base64').toString('utf16le');
const store = createMemoryStoreAdapter([{ id: 'win', name: 'Windows box', host: 'winbox', username: 'dev', remotePlatform: 'windows' }]);
const on = { enabled: true, remoteId: 'win' };

describe('Windows remotes (PowerShell -EncodedCommand)', () => {
  it('hands cmd.exe / PowerShell only base64 characters', async () => {
    const result = await wrapSpawnWithSsh({ command: 'claude', args: ['--print'], cwd: 'C:\\Users\\dev\\proj', prompt: 'it\'s "quoted" & 100% ^', customEnvVars: { NODE_ENV: 'production' } }, on, store);
    const command = result.args.at(-1)!;
    expect(command).toMatch(/^powershell -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand [A-Za-z0-9+/=]+$/);
    const script = decode(command);
    expect(script).toContain("Set-Location -LiteralPath 'C:\\Users\\dev\\proj'");
    expect(script).toContain("$env:NODE_ENV = 'production'");
    expect(script).toContain("Get-Command -Name 'claude' -CommandType Application");
    // The .exe path gets a CommandLineToArgvW-quoted line; other shims get PowerShell literals.
    expect(script).toContain(`$sw_psi.Arguments = '--print -- "it''s \\"quoted\\" & 100% ^"'`);
    expect(script).toContain(`$sw_args = @('--print', '--', 'it''s "quoted" & 100% ^')`);
    expect(script).toContain('$sw_psi.RedirectStandardInput = $true');
    expect(script.endsWith('exit $sw_s')).toBe(true);
  });

  it('expands ~ against the remote profile and keeps stdin for stdin-delivered prompts', async () => {
    const prompt = 'p'.repeat(5000);
    const result = await wrapSpawnWithSsh({ command: 'claude', args: ['--print'], cwd: '~/proj', prompt }, on, store);
    expect(result.prompt).toBeUndefined();
    expect(result.stdin).toBe(prompt);
    const script = decode(result.args.at(-1)!);
    expect(script).toContain("Set-Location -LiteralPath (Join-Path $HOME 'proj')");
    expect(script).not.toContain('RedirectStandardInput');
  });

  it('keeps the command under the cmd.exe line limit by moving prompts to stdin', async () => {
    const result = await wrapSpawnWithSsh({ command: 'claude', args: [], cwd: '~', prompt: 'x'.repeat(3000) }, on, store);
    expect(result.stdin).toBe('x'.repeat(3000));
    expect(result.args.at(-1)!.length).toBeLessThanOrEqual(8000);
  });

  it('refuses secretEnv, which PowerShell cannot read from stdin exactly', async () => {
    await expect(wrapSpawnWithSsh({ command: 'x', args: [], cwd: '~' }, on, store, { secretEnv: { K: 'v' } })).rejects.toMatchObject({ code: 'INVALID_CONFIG', field: 'secretEnv' });
  });

  it('reports markers and the exit status when asked', () => {
    const script = buildPowerShellScript({ command: 'x', args: [], statusMarker: 'TK', remotePath: 'inherit' });
    expect(script).toContain('[Console]::Error.Write("`nTK:pid:$PID`n")');
    expect(script).toContain('TK:started');
    expect(script).toContain('TK:exit:$sw_s');
    expect(script).not.toContain('$env:Path');
    expect(powerShellCommand('exit 3')).toBe('powershell -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ZQB4AGkAdAAgADMA');
  });
});

describe('local Windows (ssh.exe)', () => {
  it('defaults to the OS OpenSSH client, not an msys ssh on PATH', async () => {
    const { defaultSshPath } = await import('../../src/wrap/index.js');
    expect(defaultSshPath('win32', { SystemRoot: 'D:\\Win\\' })).toBe('D:\\Win\\System32\\OpenSSH\\ssh.exe');
    expect(defaultSshPath('win32', {})).toBe('C:\\Windows\\System32\\OpenSSH\\ssh.exe');
    expect(defaultSshPath('darwin', {})).toBe('ssh');
  });

  it('builds a local part with no POSIX-only paths or shell syntax', async () => {
    const posixRemote = createMemoryStoreAdapter([{ id: 'p', host: 'linux-box', username: 'dev', privateKeyPath: 'C:\\Users\\me\\.ssh\\id_ed25519' }]);
    const result = await wrapSpawnWithSsh({ command: 'claude', args: ['--print'], cwd: 'C:\\work', prompt: 'hi' }, { enabled: true, remoteId: 'p' }, posixRemote, { localPlatform: 'win32', localCwd: 'C:\\Users\\me' });
    expect(result.command).toMatch(/\\System32\\OpenSSH\\ssh\.exe$/);
    const local = result.args.slice(0, -1);
    expect(local.join(' ')).not.toMatch(/\/dev\/|\/tmp\/|Control(Master|Path)|\$\(/);
    expect(local).toContain('C:\\Users\\me\\.ssh\\id_ed25519');
    expect(result.cwd).toBe('C:\\Users\\me');
  });
});

describe('buildPowerShellScript input checks', () => {
  it('refuses a marker token that would need quoting', () => {
    expect(() => buildPowerShellScript({ command: 'x', args: [], statusMarker: 'a"$(x)' })).toThrow(expect.objectContaining({ code: 'UNSAFE_ARGUMENT', field: 'statusMarker' }));
  });
});
