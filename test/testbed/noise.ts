/**
 * Login noise on demand, for the output-framing tests only.
 *
 * Every test user's startup files (users.ts, DOTFILES) run NOISE_SCRIPT when, and only when,
 * SSHWRAP_TEST_NOISE is set in the session. sshd accepts that one variable (AcceptEnv in the
 * integration global setup) and only a test that asks for it sends it (`SetEnv` in the remote's
 * customOptions), so every other test file, sharing the same users and sshd in parallel, keeps
 * byte-clean sessions.
 *
 * The same table renders the remote script and the test's expectations, so they cannot drift.
 */

/** The variable the startup files look at; its value is a {@link NoiseMode}. */
export const NOISE_VARIABLE = 'SSHWRAP_TEST_NOISE';

/** Where the script lives in each test user's home. */
export const NOISE_SCRIPT_NAME = '.sshwrap-test-noise.sh';

// Looks like a real token (swm_ + 24 hex) but is never one randomMarkerToken() gives out.
const FAKE_TOKEN = 'swm_000000000000000000000000';

/** A stand-in for the name of the startup file that printed it. */
const FILE = '{file}';

// Past the 64 KiB that loginOutput keeps, and several pipe reads long: the frame line then
// arrives far from the start of a chunk.
const BIG = 70_000;

/** What a startup file prints in each mode, `{file}` replaced by the file's name. */
export const NOISE_MODES = {
  'stdout': { stdout: `noise from ${FILE} ünï\n`, stderr: '' },
  'stdout-no-newline': { stdout: `noise from ${FILE} without newline`, stderr: '' },
  'stderr': { stdout: '', stderr: `noise from ${FILE} on stderr\n` },
  'both': { stdout: `noise from ${FILE} on stdout\n`, stderr: `noise from ${FILE} on stderr\n` },
  // Text shaped like the remote script's own lines (status markers, a frame line), of another
  // token, and ending in what could be the start of one.
  'marker-like': {
    stdout: `noise from ${FILE}\n${FAKE_TOKEN}:stdout\n\n${FAKE_TOKEN}:pid:1\n\nswm_`,
    stderr: `noise from ${FILE}\n${FAKE_TOKEN}:pid:1\n\n${FAKE_TOKEN}:started\n\n${FAKE_TOKEN}:exit:0\n\n${FAKE_TOKEN}:stdout\n\nswm_0`,
  },
  'big': { stdout: `noise from ${FILE} ${'x'.repeat(BIG)}`, stderr: `noise from ${FILE} ${'y'.repeat(BIG)}` },
} as const;

export type NoiseMode = keyof typeof NOISE_MODES;

/**
 * A login that prints nothing but takes 2 s (a slow ~/.bashrc): the session is open, the remote
 * script has not reported yet. The events test kills a ControlMaster in that window.
 */
export const SLOW_LOGIN_MODE = 'slow-login';

/** Exactly what the startup file `file` prints in `mode`. */
export function noiseOf(mode: NoiseMode, file: string): { stdout: string; stderr: string } {
  const { stdout, stderr } = NOISE_MODES[mode];
  return { stdout: stdout.replaceAll(FILE, file), stderr: stderr.replaceAll(FILE, file) };
}

/** A printf format printing `template` byte for byte, `{file}` becoming the first argument. */
function printfFormat(template: string): string {
  let format = '';
  for (const byte of Buffer.from(template, 'utf8')) {
    const char = String.fromCharCode(byte);
    // [A-Za-z0-9 _:.{}-] as is, everything else as an octal escape (no template holds a `%`).
    if (/[A-Za-z0-9 _:.{}-]/.test(char)) format += char;
    else format += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return format.replaceAll(FILE, '%s');
}

/**
 * The POSIX sh script the startup files call as `sh NOISE_SCRIPT "$SSHWRAP_TEST_NOISE" <file>`.
 * Only [A-Za-z0-9 _:.-], `%s` and octal escapes inside single quotes: no locale or shell rule changes a byte.
 */
export function renderNoiseScript(): string {
  const lines = ['# Login noise for test/integration/framing.test.ts (see test/testbed/noise.ts).', 'case "$1" in'];
  for (const [mode, { stdout, stderr }] of Object.entries(NOISE_MODES)) {
    const parts: string[] = [];
    if (stdout) parts.push(`printf '${printfFormat(stdout)}' "$2"`);
    if (stderr) parts.push(`printf '${printfFormat(stderr)}' "$2" >&2`);
    lines.push(`  ${mode}) ${parts.join('; ')} ;;`);
  }
  lines.push(`  ${SLOW_LOGIN_MODE}) sleep 2 ;;`);
  lines.push(`  *) printf 'unknown ${NOISE_VARIABLE} mode %s\\n' "$1" >&2 ;;`, 'esac', '');
  return lines.join('\n');
}

/** The hook line for a startup file in its shell's own syntax: silent unless the variable is set. */
export function noiseHook(syntax: 'posix' | 'fish' | 'csh', file: string): string {
  const script = `"$HOME/${NOISE_SCRIPT_NAME}"`;
  switch (syntax) {
    case 'posix':
      return `if [ -n "\${${NOISE_VARIABLE}:-}" ]; then /bin/sh ${script} "$${NOISE_VARIABLE}" ${file}; fi\n`;
    case 'fish':
      return `if set -q ${NOISE_VARIABLE}; /bin/sh ${script} "$${NOISE_VARIABLE}" ${file}; end\n`;
    case 'csh':
      // Not the one-line `if (…) cmd`: csh substitutes the whole line first, and an unset
      // variable there is an "Undefined variable" error in every session. Skipped lines are not.
      return `if ( $?${NOISE_VARIABLE} ) then\n  /bin/sh ${script} "$${NOISE_VARIABLE}" ${file}\nendif\n`;
  }
}
