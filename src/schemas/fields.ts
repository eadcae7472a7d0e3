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

/** One environment variable name (see {@link ENV_NAME}). */
export const envName = (label: string) =>
  z.string().regex(ENV_NAME, { message: `${label}: variable names must match [A-Za-z_][A-Za-z0-9_]*` });

/** An env map: POSIX names, values without NUL. */
export const envRecord = (label: string) => z.record(envName(label), noNul(`${label} value`));

/**
 * The status-marker token the remote script writes to stderr and the executor strips: it is
 * pasted into the script and matched in the byte stream, so only characters that need no
 * quoting anywhere (shell, PowerShell, regex) are allowed.
 */
export const STATUS_MARKER_TOKEN = /^[A-Za-z0-9_-]+$/;

/** A {@link STATUS_MARKER_TOKEN}; anything else would be pasted into a script unquoted. */
export const statusMarkerField = (label: string) =>
  z.string().refine((value) => STATUS_MARKER_TOKEN.test(value), { message: `${label} must match [A-Za-z0-9_-]+`, params: UNSAFE });

/**
 * A command the remote shell runs as its first word: not empty, no NUL, never a leading `-`
 * (`exec -x`, `command -v -x` and PowerShell's `Get-Command` would read it as an option).
 */
export const remoteCommandField = (label: string) =>
  noNul(label)
    .min(1, { message: `${label} must not be empty` })
    .refine((value) => !value.startsWith('-'), { message: `${label} must not start with "-" (the remote shell would read it as an option)`, params: UNSAFE });

/** ssh option names as written in ssh_config: letters and digits, starting with a letter. */
const OPTION_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * `-o Name=Value` options: names as in ssh_config, values without CR, LF or NUL (ssh reads a
 * `-o` argument like a config line, so a newline would start a second option).
 */
export const sshOptionsRecord = (label: string) =>
  z.record(
    z.string().regex(OPTION_NAME, { message: `${label}: option names must match [A-Za-z][A-Za-z0-9]*` }),
    z.string().refine((value) => !/[\r\n\u0000]/.test(value), {
      message: `${label}: values must not contain newlines or NUL`,
      params: UNSAFE,
    }),
  );

/**
 * A local file path that ends up on ssh's command line (`-i`, `-F`, `-o UserKnownHostsFile=`):
 * never a leading `-` (an option to whatever parses it next), no newline (ssh reads `-o` values
 * like config lines), no NUL.
 */
export const sshPathField = (label: string) =>
  noNul(label)
    .min(1, { message: `${label} must not be empty` })
    .superRefine((value, ctx) => {
      if (value.startsWith('-')) {
        ctx.addIssue({ code: 'custom', message: `${label} must not start with "-" (ssh would read it as an option); write ./${value} for a relative path`, params: UNSAFE });
      } else if (/[\r\n]/.test(value)) {
        ctx.addIssue({ code: 'custom', message: `${label} must not contain newlines`, params: UNSAFE });
      }
    });

/**
 * An optional field where an empty string means "not set", as settings UIs store a cleared text
 * box (Maestro saves `username: ''` when ~/.ssh/config supplies the user). The output then has
 * no such key at all: the object schema drops keys left `undefined` (see {@link withoutUnsetKeys}).
 */
export const emptyMeansUnset = <T extends z.ZodType>(field: T) =>
  z.preprocess((value: z.input<T> | undefined) => (value === '' ? undefined : value), field.optional()).optional();

/**
 * Deletes, in place, the keys whose value is `undefined` (for a schema's own fresh output): a
 * field given as `''` (see {@link emptyMeansUnset}) or as `undefined` is then absent, so
 * `'username' in remote` and `{ ...remote }` say the same as `remote.username`.
 */
export function withoutUnsetKeys<T extends object>(value: T): T {
  for (const key of Object.keys(value)) if ((value as Record<string, unknown>)[key] === undefined) delete (value as Record<string, unknown>)[key];
  return value;
}

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

/** `port`: a TCP port number. */
export const portField = z.number().int().min(1).max(65535);

/**
 * One ProxyJump hop given as an object, validated field by field like a remote (the same
 * `host`, `username`, key and known-hosts rules, so no field can smuggle an option or split an
 * argument). Unknown keys are refused: a misspelt `identityFile` must not silently connect with
 * the remote's key instead. A field left out takes the remote's setting (see `jumpHosts`).
 *
 * @example
 * ```ts
 * JumpHostObjectSchema.parse({ host: 'bastion.example.com', username: 'ops', privateKeyPath: '~/.ssh/bastion' });
 * ```
 */
export const JumpHostObjectSchema = z.strictObject({
  /** Hostname, IP address or a `Host` alias from ~/.ssh/config (with `useSshConfig: true`). */
  host: hostField,
  /** TCP port. @default 22, or what ~/.ssh/config says with `useSshConfig: true` */
  port: portField.optional(),
  /** Login name on the hop. @default ssh's own (~/.ssh/config, else the local user); never the remote's */
  username: emptyMeansUnset(sshToken('username')),
  /** Private key for the hop (`-i`, with `IdentitiesOnly=yes`). @default the remote's `privateKeyPath` */
  privateKeyPath: emptyMeansUnset(sshPathField('privateKeyPath')),
  /** known_hosts file for the hop. @default the remote's known-hosts file */
  knownHostsFile: emptyMeansUnset(sshPathField('knownHostsFile')),
}).transform((hop) => Object.freeze(withoutUnsetKeys(hop)));

/**
 * A validated hop object (output of `JumpHostObjectSchema`).
 *
 * @example
 * ```ts
 * const hop: JumpHostObject = { host: 'bastion.example.com', username: 'jump', privateKeyPath: '~/.ssh/bastion' };
 * ```
 */
export type JumpHostObject = z.output<typeof JumpHostObjectSchema>;

/** One `jumpHosts` entry: a `[user@]host[:port]` string (`jumpHostField`) or a `JumpHostObjectSchema` object. */
export const jumpHostEntry = z.union([jumpHostField, JumpHostObjectSchema]);

/**
 * A validated `jumpHosts` entry.
 *
 * @example
 * ```ts
 * const hops: JumpHost[] = ['bastion.example.com', { host: 'inner', port: 2222, username: 'ops' }];
 * ```
 */
export type JumpHost = z.output<typeof jumpHostEntry>;
