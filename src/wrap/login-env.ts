import type { z } from 'zod';
import type { RemoteEnvironmentSchema } from '../schemas/builder-inputs.js';

/**
 * Which environment the remote command runs in:
 * - `'default'`: what sshd gives a non-interactive command (no profile is read; `remotePath`
 *   `'augment'` adds the usual per-user bin dirs). Fast and free of profile side effects.
 * - `'login'`: the environment the user's login shell builds (`$SHELL -l`: /etc/profile,
 *   ~/.profile, ~/.bash_profile, ~/.zprofile, config.fish, ~/.login …), captured in a separate
 *   process before the command runs; at most 10 s, see `DEFAULT_LOGIN_TIMEOUT_SECONDS`.
 * - `{ mode: 'login', timeoutSeconds }`: the same with another bound (1–3600 s).
 *
 * @example
 * ```ts
 * const env: RemoteEnvironment = { mode: 'login', timeoutSeconds: 30 };
 * ```
 */
export type RemoteEnvironment = z.input<typeof RemoteEnvironmentSchema>;

/** How long the login shell may take to build its environment before the run fails (`login-env-failed`). */
export const DEFAULT_LOGIN_TIMEOUT_SECONDS = 10;

/** The capture bound in seconds for `'login'`, or `undefined` for the default environment. @internal */
export function loginTimeoutSeconds(environment: RemoteEnvironment | undefined): number | undefined {
  if (environment === undefined || environment === 'default') return undefined;
  if (environment === 'login') return DEFAULT_LOGIN_TIMEOUT_SECONDS;
  return environment.timeoutSeconds ?? DEFAULT_LOGIN_TIMEOUT_SECONDS;
}

// The dumper the login shell execs. It runs under the same /bin/sh as the script that reads the
// dump back, so `export -p` (POSIX: "suitable for reinput to the shell") round-trips every value
// byte-exact, newlines and quotes included. Written to a temp name and renamed, so a dump killed
// half-way is never read. Names the capture itself creates are dropped first: PWD and OLDPWD
// belong to the script's own cwd, SHLVL and `_` to the login shell.
const DUMPER = [
  'unset PWD OLDPWD SHLVL _ SSHWRAP_LOGIN_DUMP',
  'export -p >"${0%/*}/t" && mv -f "${0%/*}/t" "${0%/*}/env"',
];

/**
 * How each login shell is asked for its login environment. The -c strings hold only characters
 * all seven shells read literally: the dumper's path arrives in the environment
 * (`SSHWRAP_LOGIN_DUMP`, a path of `[A-Za-z0-9/._-]` only), not as a quoted word, because fish
 * and tcsh quote differently from sh.
 *
 * - bash, zsh, dash, mksh, busybox ash, fish and unknown shells: `-l -c` (bash(1) INVOCATION:
 *   /etc/profile, then the first of ~/.bash_profile, ~/.bash_login, ~/.profile; zsh(1) STARTUP
 *   FILES: .zshenv, .zprofile, .zlogin; dash(1)/mksh(1)/busybox ash: /etc/profile, ~/.profile;
 *   fish(1): config.fish with `status is-login` true).
 * - tcsh/csh: `-l` is only accepted as the sole argument (tcsh(1): "Applicable only if -l is the only flag specified"),
 *   so `tcsh -c` reads /etc/csh.cshrc and ~/.tcshrc (or ~/.cshrc) as for every shell, and the
 *   login files are sourced explicitly after them: /etc/csh.login, then ~/.login. A real tcsh
 *   login reads /etc/csh.login before ~/.tcshrc.
 *
 * `exec` everywhere so no logout file (~/.zlogout, ~/.bash_logout) runs after the dump.
 */
const LOGIN_INVOCATION = [
  'case ${SHELL##*/} in',
  "  csh|tcsh) exec \"$SHELL\" -c 'if ( -r /etc/csh.login ) source /etc/csh.login; if ( -r ~/.login ) source ~/.login; exec /bin/sh $SSHWRAP_LOGIN_DUMP' ;;",
  "  *) exec \"$SHELL\" -l -c 'exec /bin/sh $SSHWRAP_LOGIN_DUMP' ;;",
  'esac',
];

/** Marker statements of the calling script (see `remote-script.ts`), passed in to keep the import graph acyclic. */
export type MarkStatement = (event: 'login-timeout' | 'login-failed') => string[];

/**
 * POSIX sh lines that capture the login shell's environment and load it into the running script
 * (see {@link RemoteEnvironment}). They run before anything reads ssh's stdin, so the login
 * shell gets /dev/null as stdin (it can neither eat the env lines nor wait for input), and
 * everything it prints goes to /dev/null (no login noise in the command's output).
 *
 * The bound: the login shell runs in the background and a watchdog (`sleep N`) kills it after
 * `timeoutSeconds`. Either way the script then sends TERM to its own process group (sshd made it
 * a group leader; the script ignores TERM itself for that moment), so the watchdog and whatever
 * the profile left running (`sleep 600`) go too. On timeout it reports `login-timeout` and exits 1. A login shell that exits without a dump (a profile that
 * calls `exit`, an unknown shell that refuses `-l -c`, `$SHELL` unset) reports `login-failed`.
 * Never a silent fallback to the default environment. @internal
 */
export function loginEnvironmentLines(timeoutSeconds: number, mark: MarkStatement): string[] {
  const fail = (event: 'login-timeout' | 'login-failed', message: string): string =>
    `{ exec 2>&4 4>&-; rm -rf "$__sw_e"; ${[...mark(event), `printf 'sshwrap: %s\\n' ${message} >&2`, 'exit 1'].join('; ')}; }`;
  return [
    // sh reports a killed background job ("Killed") on its stderr, dash at once and bash later:
    // this shell's stderr is /dev/null until the capture is over, the original waits on fd 4
    // (first, so every failure path below can restore it).
    'exec 4>&2 2>/dev/null',
    // A private dir (0700). Its path is pasted unquoted into fish and tcsh, so only a plain one will do.
    '__sw_e=$(umask 077; mktemp -d "${TMPDIR:-/tmp}/sshwrap.XXXXXX") || __sw_e=',
    `case $__sw_e in ''|*[!A-Za-z0-9/._-]*) [ -z "$__sw_e" ] || rm -rf "$__sw_e"; __sw_e=$(umask 077; mktemp -d /tmp/sshwrap.XXXXXX) || ${fail('login-failed', "'cannot create a private directory for the login environment'")} ;; esac`,
    `printf '%s\\n' ${DUMPER.map((line) => `'${line}'`).join(' ')} >"$__sw_e/d"`,
    `( SSHWRAP_LOGIN_DUMP="$__sw_e/d"; export SSHWRAP_LOGIN_DUMP`,
    ...LOGIN_INVOCATION.map((line) => `  ${line}`),
    // fd 4 is ssh's stderr: a daemon the profile starts must not hold the session open with it.
    ') </dev/null >/dev/null 2>&1 4>&- &',
    '__sw_p=$!',
    `( sleep ${timeoutSeconds}; : >"$__sw_e/late"; kill -KILL "$__sw_p" ) </dev/null >/dev/null 2>&1 4>&- &`,
    'wait "$__sw_p"; __sw_s=$?',
    // Whatever is left in this script's process group now is the capture's: the watchdog and its
    // sleep, and what the login files started in the background without a session of their own
    // (a blocking profile's `sleep 600`). TERM to the group ends them; this shell ignores it for
    // that one moment (sshd made it the group leader; an ignored signal is discarded when sent,
    // so resetting the trap right after is safe). Not a trap in the watchdog: mksh runs no trap
    // in a background subshell that is waiting, so its sleep would outlive every run.
    `trap '' TERM; kill -TERM -$$ 2>/dev/null; trap - TERM`,
    'if [ -f "$__sw_e/env" ]; then',
    // Still on /dev/null: bash warns on stderr when a captured LC_* names a locale it lacks.
    '  . "$__sw_e/env"; rm -rf "$__sw_e"; exec 2>&4 4>&-',
    'elif [ -f "$__sw_e/late" ]; then',
    `  ${fail('login-timeout', `"the login shell \${SHELL:-(SHELL is not set)} did not finish within ${timeoutSeconds} s (remoteEnvironment: 'login'); a startup file waits for input or runs long"`)}`,
    'else',
    `  ${fail('login-failed', `"the login shell \${SHELL:-(SHELL is not set)} exited with status $__sw_s before it reported its environment (remoteEnvironment: 'login')"`)}`,
    'fi',
  ];
}
