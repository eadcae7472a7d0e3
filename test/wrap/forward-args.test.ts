import { describe, expect, it } from 'vitest';
import { parseSshRemoteConfig } from '../../src/schemas/index.js';
import { buildForwardSshArgs, buildSshArgs, FORWARD_SSH_OPTIONS } from '../../src/wrap/index.js';

const remote = parseSshRemoteConfig({
  id: 'gpu',
  host: 'gpu.example.com',
  username: 'dev',
  // A remote's own choices that would break a forwarding connection are not used on it.
  customOptions: { ClearAllForwardings: 'yes', ControlPath: '/tmp/cp-%C', ControlMaster: 'auto', LocalForward: '1 h:2', LogLevel: 'QUIET', ConnectTimeout: '5' },
});
const options = (args: readonly string[]): string[] => args.flatMap((arg, i) => (args[i - 1] === '-o' ? [arg] : []));

describe('buildForwardSshArgs (pure)', () => {
  it('-L bound to 127.0.0.1, forwarding on for this connection only, never a pooled master, the forwards before --', () => {
    const args = buildForwardSshArgs(remote, [{ kind: 'local-tcp', localPort: 40123, remoteHost: '127.0.0.1', remotePort: 5173 }], 'exec cat');
    const opts = options(args);
    for (const [name, value] of Object.entries(FORWARD_SSH_OPTIONS)) expect(opts).toContain(`${name}=${value}`);
    expect(opts.filter((o) => /^(clearallforwardings|controlpath|controlmaster|loglevel|localforward)=/i.test(o)).sort()).toEqual(
      ['ClearAllForwardings=no', 'ControlMaster=no', 'ControlPath=none', 'LogLevel=INFO'].sort(),
    );
    expect(opts).toContain('ConnectTimeout=5');
    expect(args.slice(-5)).toEqual(['-L', '127.0.0.1:40123:127.0.0.1:5173', '--', 'dev@gpu.example.com', 'exec cat']);
    // Runs keep their defaults.
    expect(options(buildSshArgs(remote, 'true'))).toContain('ClearAllForwardings=yes');
  });

  it('-R for a remote unix socket; an IPv6 target host is bracketed', () => {
    expect(buildForwardSshArgs(remote, [{ kind: 'remote-socket', remoteSocketPath: '/tmp/sshwrap-sock.x/s', localSocketPath: '/run/app.sock' }], undefined).slice(-4)).toEqual([
      '-R',
      '/tmp/sshwrap-sock.x/s:/run/app.sock',
      '--',
      'dev@gpu.example.com',
    ]);
    expect(buildForwardSshArgs(remote, [{ kind: 'local-tcp', localPort: 1, remoteHost: '::1', remotePort: 2 }], undefined)).toContain('127.0.0.1:1:[::1]:2');
  });
});
