import { SshWrapError } from '../errors/index.js';
import { encodePowerShellCommand, quotePowerShell, quoteWindowsArg } from '../quoting/index.js';
import { parseRemoteScriptSpec, parseValue } from '../schemas/builder-inputs.js';
import { noNul } from '../schemas/fields.js';
import type { RemoteScriptEvent, RemoteScriptSpec } from './remote-script.js';

// Per-user install locations of agent CLIs on Windows (npm global prefix, pipx/uv, cargo, bun),
// missing from the PATH a non-interactive OpenSSH session sees when they were added per user.
const AUGMENTED_WINDOWS_DIRS = ["$env:APPDATA 'npm'", "$env:USERPROFILE '.local\\bin'", "$env:USERPROFILE '.cargo\\bin'", "$env:USERPROFILE '.bun\\bin'"];

// An empty script would leave -EncodedCommand without its value once the shell drops the empty word.
const SCRIPT = noNul('script').min(1, { message: 'script must not be empty' });

function mark(token: string | undefined, event: RemoteScriptEvent, data = ''): string {
  if (token === undefined) return '';
  return `[Console]::Error.Write("\`n${token}:${event}${data}\`n"); `;
}

function pathExpression(dir: string): string {
  const tilde = /^~(?=[\\/]|$)/.exec(dir);
  if (!tilde) return quotePowerShell(dir);
  const rest = dir.slice(1).replace(/^[\\/]/, '');
  return rest ? `(Join-Path $HOME ${quotePowerShell(rest)})` : '$HOME';
}

/**
 * The PowerShell script that runs a command on a Windows OpenSSH server: PATH, working
 * directory (`~` is the remote user's profile), environment, then the command. An `.exe` is
 * started through `ProcessStartInfo` with a command line quoted for `CommandLineToArgvW`, so
 * arguments arrive exactly (PowerShell 5.1's own native-argument quoting drops empty strings
 * and mangles embedded quotes); other application types (.cmd, .bat shims) go through `&`.
 *
 * @throws {SshWrapError} `INVALID_CONFIG` or `UNSAFE_ARGUMENT` by the rules of
 *   {@link buildRemoteScript}, with `field` naming the value; nothing is built. `INVALID_CONFIG`
 *   (`field: 'remoteEnvironment'`) for `'login'`: PowerShell has no login profile to capture.
 * @example
 * ```ts
 * buildPowerShellScript({ command: 'claude', args: ['--print', 'hi'], cwd: '~/proj' });
 * ```
 */
export function buildPowerShellScript(input: RemoteScriptSpec): string {
  const spec = parseRemoteScriptSpec(input);
  if (spec.remoteEnvironment !== undefined && spec.remoteEnvironment !== 'default') {
    // sshd already starts PowerShell with the user's environment (registry, not profile scripts).
    throw new SshWrapError('INVALID_CONFIG', "remoteEnvironment 'login' is not supported for Windows remotes", {
      field: 'remoteEnvironment',
      hint: "Windows OpenSSH already gives the command the user's registry environment; remove remoteEnvironment or use remotePath.",
    });
  }
  const token = spec.statusMarker;
  const nullStdin = spec.commandStdin === 'null';
  const lines = ["$ErrorActionPreference = 'Stop'"];
  if (spec.frameOutput) lines.push(`[Console]::Out.Write("\`n${token}:stdout\`n")`);
  if (token !== undefined) lines.push(mark(token, 'pid', ':$PID').trim());
  if (spec.remotePath === undefined || spec.remotePath === 'augment') {
    lines.push(`foreach ($d in @(${AUGMENTED_WINDOWS_DIRS.map((d) => `(Join-Path ${d})`).join(', ')})) { if (Test-Path -LiteralPath $d) { $env:Path = $d + ';' + $env:Path } }`);
  } else if (spec.remotePath !== 'inherit' && spec.remotePath.length > 0) {
    lines.push(`$env:Path = (@(${spec.remotePath.map(pathExpression).join(', ')}) -join ';') + ';' + $env:Path`);
  }
  if (spec.cwd !== undefined && spec.cwd !== '') {
    const dir = pathExpression(spec.cwd);
    lines.push(`try { Set-Location -LiteralPath ${dir} } catch { [Console]::Error.WriteLine('sshwrap: cannot change to ' + ${dir}); ${mark(token, 'cwd-missing')}exit 1 }`);
  }
  for (const [name, value] of Object.entries(spec.env ?? {})) lines.push(`$env:${name} = ${quotePowerShell(value)}`);
  lines.push(
    `$sw_cmd = Get-Command -Name ${quotePowerShell(spec.command)} -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1`,
    `if (-not $sw_cmd) { [Console]::Error.WriteLine('sshwrap: command not found: ' + ${quotePowerShell(spec.command)}); ${mark(token, 'not-found')}exit 127 }`,
  );
  if (token !== undefined) lines.push(mark(token, 'started').trim());
  lines.push(
    "if ($sw_cmd.Source -like '*.exe') {",
    '  $sw_psi = New-Object System.Diagnostics.ProcessStartInfo',
    '  $sw_psi.FileName = $sw_cmd.Source',
    `  $sw_psi.Arguments = ${quotePowerShell(spec.args.map(quoteWindowsArg).join(' '))}`,
    '  $sw_psi.WorkingDirectory = (Get-Location).ProviderPath',
    '  $sw_psi.UseShellExecute = $false',
    ...(nullStdin ? ['  $sw_psi.RedirectStandardInput = $true'] : []),
    '  $sw_p = [System.Diagnostics.Process]::Start($sw_psi)',
    ...(nullStdin ? ['  $sw_p.StandardInput.Close()'] : []),
    '  $sw_p.WaitForExit()',
    '  $sw_s = $sw_p.ExitCode',
    '} else {',
    `  $sw_args = @(${spec.args.map(quotePowerShell).join(', ')})`,
    `  ${nullStdin ? '$null | ' : ''}& $sw_cmd.Source @sw_args`,
    '  $sw_s = $LASTEXITCODE',
    '}',
  );
  if (token !== undefined) lines.push(mark(token, 'exit', ':$sw_s').trim());
  lines.push('exit $sw_s');
  return lines.join('\n');
}

/**
 * The command line for a Windows OpenSSH server (default shell cmd.exe or PowerShell): only
 * base64 characters, so neither shell can reinterpret it.
 *
 * @throws {SshWrapError} `UNSAFE_ARGUMENT` (`field: 'script'`) for a NUL byte, `INVALID_CONFIG` for an empty script.
 * @example
 * ```ts
 * powerShellCommand('exit 3'); // => 'powershell -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ZQB4AGkAdAAgADMA'
 * ```
 */
export function powerShellCommand(script: string): string {
  return `powershell -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ${encodePowerShellCommand(parseValue(SCRIPT, script, 'script'))}`;
}
