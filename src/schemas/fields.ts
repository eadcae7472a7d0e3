import { z } from 'zod';

/**
 * Marks a schema issue as a security problem, so {@link toSshWrapError} reports
 * `UNSAFE_ARGUMENT` instead of `INVALID_CONFIG`.
 */
export const UNSAFE = { sshwrapCode: 'UNSAFE_ARGUMENT' } as const;

// eslint-disable-next-line no-control-regex
const CONTROL_OR_SPACE = /[\s\u0000-\u001f\u007f]/u;

/** A string with no NUL byte: NUL cannot cross an argv or a shell word, so it is always refused. */
export const noNul = (label: string) =>
  z.string().refine((value) => !value.includes('\u0000'), {
    message: `${label} must not contain a NUL byte`,
    params: UNSAFE,
  });

/** Environment variable names a POSIX shell can `export`. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An env map: POSIX names, values without NUL. */
export const envRecord = (label: string) =>
  z.record(
    z.string().regex(ENV_NAME, { message: `${label}: variable names must match [A-Za-z_][A-Za-z0-9_]*` }),
    noNul(`${label} value`),
  );

/**
 * A token ssh parses itself (host, user, jump host): never a leading `-` (it would become an
 * option), never whitespace or control characters (they would split or end the argument).
 */
export const sshToken = (label: string) =>
  z
    .string()
    .min(1, { message: `${label} must not be empty` })
    .superRefine((value, ctx) => {
      if (value.startsWith('-')) {
        ctx.addIssue({ code: 'custom', message: `${label} must not start with "-" (ssh would read it as an option)`, params: UNSAFE });
      } else if (CONTROL_OR_SPACE.test(value)) {
        ctx.addIssue({ code: 'custom', message: `${label} must not contain whitespace, control characters or NUL`, params: UNSAFE });
      }
    });

/** A hostname, IP address or ~/.ssh/config Host alias. `@` and `/` would change what ssh parses. */
export const hostField = sshToken('host').superRefine((value, ctx) => {
  if (/[@/]/.test(value) || /^ssh:/i.test(value)) {
    ctx.addIssue({ code: 'custom', message: 'host must be a hostname, IP address or ssh config alias (no "@", "/" or ssh:// URI)', params: UNSAFE });
  }
});

/**
 * One ProxyJump hop: `[user@]host[:port]` (IPv6 in brackets). Commas would split it into two
 * hops and a leading `-` would make it an option, so both are refused.
 */
export const jumpHostField = sshToken('jumpHosts[]').superRefine((value, ctx) => {
  const user = value.includes('@') ? value.slice(0, value.lastIndexOf('@')) : '';
  const hostPort = value.slice(value.lastIndexOf('@') + 1);
  const valid = /^(\[[0-9A-Fa-f:.%a-z]+\]|[A-Za-z0-9_.-]+)(:\d{1,5})?$/.test(hostPort) && !hostPort.startsWith('-') && !user.startsWith('-') && !/[,/]/.test(value);
  if (!valid) ctx.addIssue({ code: 'custom', message: 'jumpHosts entries must be [user@]host[:port] with no "," or "/" and no leading "-"', params: UNSAFE });
});
