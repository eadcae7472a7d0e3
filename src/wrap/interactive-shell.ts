import { z } from 'zod';
import { SshWrapError } from '../errors/index.js';
import { envRecord, noNul, sshPathField, UNSAFE } from '../schemas/fields.js';
import { assertKnownOptions, optionKeys } from '../schemas/option-keys.js';
import { parseSshRemoteConfig, parseWith } from '../schemas/parse.js';
import type { SshRemoteConfig } from '../schemas/remote-config.js';
import { dirWord, exportLine } from './posix-words.js';
import { isSecretEnvName } from './redact.js';
import { anyShellCommand } from './remote-script.js';
import { buildSshArgs } from './ssh-args.js';

/**
 * Options of {@link wrapInteractiveShell}; the zod schema is the source of the type.
 * @internal
 */
export const InteractiveShellOptionsSchema = z.object({
  /** Remote directory to start in; `~` and `~/x` expand on the remote. @default the login directory (home) */
  cwd: noNul('cwd').optional(),
  /** Variables set for the shell; secret-looking names are refused (see {@link wrapInteractiveShell}). */
  env: envRecord('env').optional(),
  /** Shell to start as a login shell instead of the user's own (`$SHELL`). @default "$SHELL" */
  shell: noNul('shell')
    .refine((value) => value !== '' && !value.startsWith('-'), { message: 'shell: must not be empty or start with "-"', params: UNSAFE })
    .optional(),
  /** ssh client binary (pure core: nothing is looked up). @default 'ssh' */
  sshPath: sshPathField('sshPath').optional(),
  /** `-F` file for `useSshConfig` remotes. @default undefined */
  sshConfigFile: sshPathField('sshConfigFile').optional(),
  /** Command-executing customOptions allowed for this remote (as for runs). @default [] */
  allowUnsafeOptions: z.array(z.string()).optional(),
});

/**
 * Options of {@link wrapInteractiveShell}.
 *
 * @example
 * ```ts
 * const options: InteractiveShellOptions = { cwd: '~/project', env: { NODE_ENV: 'development' } };
 * ```
 */
export type InteractiveShellOptions = z.input<typeof InteractiveShellOptionsSchema>;

const OPTION_KEYS = optionKeys<InteractiveShellOptions>()({ cwd: true, env: true, shell: true, sshPath: true, sshConfigFile: true, allowUnsafeOptions: true });

/**
 * What to hand to node-pty (`pty.spawn(command, args, …)`): the local ssh and its arguments.
 *
 * @example
 * ```ts
 * const { command, args }: InteractiveShellSpawn = wrapInteractiveShell(remote, { cwd: '~/app' });
 * ```
 */
export interface InteractiveShellSpawn {
  /** The ssh client (`sshPath`). */
  command: string;
  /** ssh's arguments: `-tt`, the remote's options with `RequestTTY=force`, destination, startup command. */
  args: string[];
}

/**
 * The POSIX startup script of an interactive shell: `cd`, `export`, then `exec` the login shell.
 * `exec` keeps no `/bin/sh` between the pty and the shell, so job control and signals go to it.
 */
function startupScript(cwd: string | undefined, env: Record<string, string> | undefined, shell: string | undefined): string {
  const lines: string[] = [];
  if (cwd !== undefined && cwd !== '') lines.push(`cd ${dirWord(cwd)} || exit 1`);
  const exports = exportLine(env);
  if (exports) lines.push(exports);
  // `-l` alone: tcsh takes it only as the sole flag (tcsh(1)); bash, zsh, fish, dash, mksh and
  // busybox ash all read it as "login shell", so profiles run as in a normal `ssh host` login.
  lines.push(`exec ${shell === undefined ? '"$SHELL"' : dirWord(shell)} -l`);
  return lines.join('\n');
}

/**
 * The `{ command, args }` of an interactive login shell on `remote`, in `cwd`, on a pty: for
 * apps that run it under node-pty and show it in xterm.js (terminal tabs). Pure: nothing is
 * spawned; resizing is the pty's job (node-pty's `resize()` reaches sshd as a window-change
 * request).
 *
 * - **pty**: `-tt` and `RequestTTY=force` (ssh(1) `-t`, ssh_config(5) RequestTTY): sshd allocates
 *   a terminal even though a command is given; a remote's `customOptions.RequestTTY` is ignored.
 * - **Shell**: the startup command runs `cd <cwd>`, exports `env`, then `exec "$SHELL" -l`
 *   (sshd sets `$SHELL` from the passwd entry), or `exec <shell> -l`. It reaches the login shell
 *   through the same transport as runs (`anyShellCommand`), so bash, dash, zsh, mksh, ash,
 *   fish and tcsh users all get it byte-exact.
 * - **env**: values are in the startup command, which is on ssh's argv (visible in `ps` locally)
 *   and on the remote shell's argv. Runs send secret values over ssh's stdin instead, but a pty's
 *   stdin is the terminal the user types into, so there is no private channel before the shell
 *   starts. A name that {@link isSecretEnvName} says is secret is therefore refused, not leaked:
 *   put such values in the remote's own files, or start the tab's agent with `runWithSsh`/
 *   `spawnWithSsh`, which deliver them on stdin.
 * - The other ssh options are the remote's as for runs (BatchMode, host-key policy, jump hosts,
 *   `ClearAllForwardings=yes`, …).
 *
 * @param remote the remote (validated like {@link parseSshRemoteConfig}).
 * @param options `cwd`, `env`, `shell` (default: the user's login shell), `sshPath` (default `'ssh'`),
 *   `sshConfigFile`, `allowUnsafeOptions`.
 * @returns the local command and its arguments.
 * @throws {SshWrapError} `UNSAFE_ARGUMENT` (`field: 'env.<NAME>'`) for a secret-looking env name;
 *   `INVALID_CONFIG` for an unknown option key, a Windows remote (`field: 'remotePlatform'`) or a
 *   bad value; whatever `buildSshArgs` throws for the remote.
 * @example
 * ```ts
 * import * as pty from 'node-pty';
 * import { wrapInteractiveShell } from 'sshwrap';
 *
 * const { command, args } = wrapInteractiveShell(remote, { cwd: '~/project', env: { TERM_PROGRAM: 'myapp' } });
 * const term = pty.spawn(command, args, { name: 'xterm-256color', cols: 120, rows: 32, env: process.env });
 * term.onData((data) => xterm.write(data));
 * xterm.onData((data) => term.write(data));
 * xterm.onResize(({ cols, rows }) => term.resize(cols, rows));
 * ```
 */
export function wrapInteractiveShell(remote: SshRemoteConfig, options: InteractiveShellOptions = {}): InteractiveShellSpawn {
  assertKnownOptions(options, OPTION_KEYS, 'wrapInteractiveShell options');
  const parsed = parseWith(InteractiveShellOptionsSchema, options, 'wrapInteractiveShell options');
  const target = parseSshRemoteConfig(remote);
  if (target.remotePlatform === 'windows') {
    throw new SshWrapError('INVALID_CONFIG', 'wrapInteractiveShell supports POSIX remotes only', {
      field: 'remotePlatform',
      hint: 'Run `ssh -tt <host> powershell` yourself for a Windows remote.',
    });
  }
  for (const name of Object.keys(parsed.env ?? {})) {
    if (isSecretEnvName(name)) {
      throw new SshWrapError('UNSAFE_ARGUMENT', `env.${name} looks like a secret; an interactive shell would carry it on ssh's command line`, {
        field: `env.${name}`,
        hint: 'A pty has no private stdin channel: set the value in a remote file the shell reads, or run the agent with runWithSsh/spawnWithSsh (secrets travel on stdin there).',
      });
    }
  }
  const customOptions = target.customOptions
    ? Object.fromEntries(Object.entries(target.customOptions).filter(([name]) => name.toLowerCase() !== 'requesttty'))
    : undefined;
  const command = anyShellCommand(startupScript(parsed.cwd, parsed.env, parsed.shell));
  const sshArgs = buildSshArgs({ ...target, customOptions }, command, {
    managedOptions: { RequestTTY: 'force' },
    ...(parsed.sshPath ? { sshPath: parsed.sshPath } : {}),
    ...(parsed.sshConfigFile ? { configFile: parsed.sshConfigFile } : {}),
    ...(parsed.allowUnsafeOptions ? { allowUnsafeOptions: parsed.allowUnsafeOptions } : {}),
  });
  return { command: parsed.sshPath || 'ssh', args: ['-tt', ...sshArgs] };
}
