/**
 * The POSIX sh script testConnection runs remotely (as `/bin/sh -c <script> sshwrap-probe
 * <tag> [agent]`, under the remote script's PATH handling). Every line it prints starts with a
 * random tag, so banners or rc-file output on stdout can never be mistaken for a value.
 * `hostname` is missing on some minimal images, hence `uname -n`; `command -v` because `which`
 * is not always installed.
 */
export const PROBE_SCRIPT = [
  't=$1',
  'printf \'%s:hostname:%s\\n\' "$t" "$(hostname 2>/dev/null || uname -n)"',
  'printf \'%s:user:%s\\n\' "$t" "$(id -un 2>/dev/null || whoami 2>/dev/null || printf %s "$USER")"',
  'printf \'%s:os:%s\\n\' "$t" "$(uname -s)"',
  'printf \'%s:arch:%s\\n\' "$t" "$(uname -m)"',
  'if [ "$#" -ge 2 ]; then',
  '  if __sw_p=$(command -v "$2" 2>/dev/null) && [ -n "$__sw_p" ]; then printf \'%s:agent:%s\\n\' "$t" "$__sw_p"; else printf \'%s:agent-missing:\\n\' "$t"; fi',
  'fi',
].join('\n');

/** What the probe reported. */
export interface ProbeReport {
  hostname?: string;
  user?: string;
  os?: string;
  arch?: string;
  /** `null`: asked for and not found; `undefined`: not asked. */
  agentPath?: string | null;
}

/**
 * Reads the tagged lines of {@link PROBE_SCRIPT}'s output, ignoring everything else.
 *
 * @example
 * ```ts
 * parseProbeOutput('motd\nT:hostname:gpu\nT:user:dev\n', 'T'); // { hostname: 'gpu', user: 'dev' }
 * ```
 */
export function parseProbeOutput(stdout: string, tag: string): ProbeReport {
  const report: ProbeReport = {};
  const prefix = `${tag}:`;
  for (const line of stdout.split('\n')) {
    const start = line.indexOf(prefix);
    if (start < 0) continue;
    const rest = line.slice(start + prefix.length).replace(/\r$/, '');
    const colon = rest.indexOf(':');
    if (colon < 0) continue;
    const key = rest.slice(0, colon);
    const value = rest.slice(colon + 1);
    if (key === 'hostname' || key === 'user' || key === 'os' || key === 'arch') report[key] = value;
    else if (key === 'agent') report.agentPath = value;
    else if (key === 'agent-missing') report.agentPath = null;
  }
  return report;
}
