import { describe, expect, it } from 'vitest';
import { buildPowerShellScript, powerShellCommand } from '../../src/wrap/index.js';

// No PowerShell on the Linux test machines: the script text is the observable output, so these
// tests pin it line by line (each line was checked by hand against PowerShell 5.1 semantics).

const AUGMENT =
  "foreach ($d in @((Join-Path $env:APPDATA 'npm'), (Join-Path $env:USERPROFILE '.local\\bin'), (Join-Path $env:USERPROFILE '.cargo\\bin'), (Join-Path $env:USERPROFILE '.bun\\bin'))) { if (Test-Path -LiteralPath $d) { $env:Path = $d + ';' + $env:Path } }";

describe('buildPowerShellScript: the whole script', () => {
  it('without markers, with the default PATH augmentation, cwd ~ and inherited stdin', () => {
    expect(buildPowerShellScript({ command: 'claude', args: [], cwd: '~' }).split('\n')).toEqual([
      "$ErrorActionPreference = 'Stop'",
      AUGMENT,
      "try { Set-Location -LiteralPath $HOME } catch { [Console]::Error.WriteLine('sshwrap: cannot change to ' + $HOME); exit 1 }",
      "$sw_cmd = Get-Command -Name 'claude' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1",
      "if (-not $sw_cmd) { [Console]::Error.WriteLine('sshwrap: command not found: ' + 'claude'); exit 127 }",
      "if ($sw_cmd.Source -like '*.exe') {",
      '  $sw_psi = New-Object System.Diagnostics.ProcessStartInfo',
      '  $sw_psi.FileName = $sw_cmd.Source',
      "  $sw_psi.Arguments = ''",
      '  $sw_psi.WorkingDirectory = (Get-Location).ProviderPath',
      '  $sw_psi.UseShellExecute = $false',
      '  $sw_p = [System.Diagnostics.Process]::Start($sw_psi)',
      '  $sw_p.WaitForExit()',
      '  $sw_s = $sw_p.ExitCode',
      '} else {',
      '  $sw_args = @()',
      '  & $sw_cmd.Source @sw_args',
      '  $sw_s = $LASTEXITCODE',
      '}',
      'exit $sw_s',
    ]);
  });

  it("with markers, an explicit PATH list, cwd ~\\dir, env, and /dev/null-like stdin ('null')", () => {
    const script = buildPowerShellScript({
      command: 'claude',
      args: ['a b', ''],
      cwd: '~\\proj',
      env: { A: "it's", B: '' },
      statusMarker: 'TK',
      remotePath: ['~', '~/x', '~\\y', 'C:\\bin', '~z'],
      commandStdin: 'null',
    });
    expect(script.split('\n')).toEqual([
      "$ErrorActionPreference = 'Stop'",
      '[Console]::Error.Write("`nTK:pid:$PID`n");',
      "$env:Path = (@($HOME, (Join-Path $HOME 'x'), (Join-Path $HOME 'y'), 'C:\\bin', '~z') -join ';') + ';' + $env:Path",
      "try { Set-Location -LiteralPath (Join-Path $HOME 'proj') } catch { [Console]::Error.WriteLine('sshwrap: cannot change to ' + (Join-Path $HOME 'proj')); [Console]::Error.Write(\"`nTK:cwd-missing`n\"); exit 1 }",
      "$env:A = 'it''s'",
      "$env:B = ''",
      "$sw_cmd = Get-Command -Name 'claude' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1",
      "if (-not $sw_cmd) { [Console]::Error.WriteLine('sshwrap: command not found: ' + 'claude'); [Console]::Error.Write(\"`nTK:not-found`n\"); exit 127 }",
      '[Console]::Error.Write("`nTK:started`n");',
      "if ($sw_cmd.Source -like '*.exe') {",
      '  $sw_psi = New-Object System.Diagnostics.ProcessStartInfo',
      '  $sw_psi.FileName = $sw_cmd.Source',
      `  $sw_psi.Arguments = '"a b" ""'`,
      '  $sw_psi.WorkingDirectory = (Get-Location).ProviderPath',
      '  $sw_psi.UseShellExecute = $false',
      '  $sw_psi.RedirectStandardInput = $true',
      '  $sw_p = [System.Diagnostics.Process]::Start($sw_psi)',
      '  $sw_p.StandardInput.Close()',
      '  $sw_p.WaitForExit()',
      '  $sw_s = $sw_p.ExitCode',
      '} else {',
      "  $sw_args = @('a b', '')",
      '  $null | & $sw_cmd.Source @sw_args',
      '  $sw_s = $LASTEXITCODE',
      '}',
      '[Console]::Error.Write("`nTK:exit:$sw_s`n");',
      'exit $sw_s',
    ]);
  });

  it("'augment' given explicitly is the default; 'inherit', [] and cwd '' add no line", () => {
    expect(buildPowerShellScript({ command: 'x', args: [], remotePath: 'augment' }).split('\n')[1]).toBe(AUGMENT);
    for (const remotePath of ['inherit', []] as const) {
      const script = buildPowerShellScript({ command: 'x', args: [], remotePath, cwd: '' });
      expect(script).not.toContain('$env:Path');
      expect(script).not.toContain('Set-Location');
      expect(script.split('\n')[1]).toMatch(/^\$sw_cmd = Get-Command/);
    }
  });

  it('quotes a cwd literally unless it starts with ~ followed by a separator or nothing', () => {
    expect(buildPowerShellScript({ command: 'x', args: [], cwd: "C:\\it's", remotePath: 'inherit' })).toContain("Set-Location -LiteralPath 'C:\\it''s' }");
    expect(buildPowerShellScript({ command: 'x', args: [], cwd: '~user\\x', remotePath: 'inherit' })).toContain("Set-Location -LiteralPath '~user\\x' }");
    expect(buildPowerShellScript({ command: 'x', args: [], cwd: 'C:\\a~', remotePath: 'inherit' })).toContain("Set-Location -LiteralPath 'C:\\a~' }");
    expect(buildPowerShellScript({ command: 'x', args: [], cwd: '~/', remotePath: 'inherit' })).toContain('Set-Location -LiteralPath $HOME }');
    expect(buildPowerShellScript({ command: 'x', args: [], cwd: '~/a/b', remotePath: 'inherit' })).toContain("Set-Location -LiteralPath (Join-Path $HOME 'a/b') }");
  });

  it('refuses an empty script for -EncodedCommand and encodes as UTF-16LE base64', () => {
    expect(() => powerShellCommand('')).toThrow(/script must not be empty/);
    const command = powerShellCommand('Write-Output "ü"');
    expect(Buffer.from(command.split(' ').at(-1)!, 'base64').toString('utf16le')).toBe('Write-Output "ü"');
  });
});
