/**
 * The ssh client sshwrap starts when no `sshPath` is given. On Windows this is the OpenSSH client
 * that ships with the OS (`%SystemRoot%\System32\OpenSSH\ssh.exe`), not whatever `ssh` comes first
 * on PATH: Git for Windows and MSYS put an msys `ssh` there that reads paths and config differently.
 * Elsewhere it is `ssh`, looked up on PATH. Pure: the caller passes the platform and environment
 * (`process.platform`, `process.env`).
 *
 * @example
 * ```ts
 * defaultSshPath('linux');                                  // 'ssh'
 * defaultSshPath('win32', { SystemRoot: 'C:\\Windows' });   // 'C:\\Windows\\System32\\OpenSSH\\ssh.exe'
 * ```
 */
export function defaultSshPath(platform: string, env: Readonly<Record<string, string | undefined>>): string {
  if (platform !== 'win32') return 'ssh';
  const systemRoot = env.SystemRoot ?? env.SYSTEMROOT ?? env.windir ?? 'C:\\Windows';
  return `${systemRoot.replace(/\\+$/, '')}\\System32\\OpenSSH\\ssh.exe`;
}
