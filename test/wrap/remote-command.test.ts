import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { encodeForAnyShell } from '../../src/quoting/index.js';
import { buildRemoteCommand, buildRemoteScript, buildPowerShellScript, powerShellCommand, remoteDirWord, remotePathLines, anyShellCommand, encodeSecretLines, markerLine, type RemoteScriptSpec } from '../../src/wrap/index.js';
import { commandWords, exportStatement } from '../../src/wrap/remote-command.js';

describe('buildRemoteCommand', () => {
  it('is the reference shape with every piece quoted', () => {
    expect(buildRemoteCommand({ command: 'claude', args: ['--print', '--', 'Hello, Claude!'], cwd: '/home/dev/project', env: { VAR: 'value' } })).toBe(
      "cd /home/dev/project && export VAR=value && claude --print -- 'Hello, Claude!'",
    );
    expect(buildRemoteCommand({ command: 'x', args: [] })).toBe('x');
  });

  it('runs byte-exact under a POSIX shell', () => {
    const value = "$HOME `id` 'q' \"d\" \n\t ü -n";
    const command = buildRemoteCommand({ command: 'printf', args: ['%s|%s', value, '-x'], cwd: '/', env: { V: value } });
    const out = spawnSync('/bin/sh', ['-c', `${command}; printf '|%s' "$V" "$PWD"`], { encoding: 'utf8' });
    expect(out.stdout).toBe(`${value}|-x|${value}|/`);
  });
});

describe('remoteDirWord', () => {
  it.each([
    ['~', '"$HOME"'],
    ['~/', '"$HOME"/'],
    ['~/src/my app', `"$HOME"'/src/my app'`],
    ['~bob/x', '~bob/x'],
    ['~bob', '~bob'],
    ['/abs/path', '/abs/path'],
    ['-weird', './-weird'],
    ['~$(id)/x', `'~$(id)/x'`],
  ])('%s → %s', (dir, word) => {
    expect(remoteDirWord(dir)).toBe(word);
  });
});

describe('buildRemoteScript', () => {
  const run = (script: string, stdin = '') => spawnSync('/bin/sh', ['-c', script], { input: stdin, encoding: 'utf8', cwd: '/' });

  it('gives the command /dev/null as stdin unless told to inherit', () => {
    expect(run(buildRemoteScript({ command: 'cat', args: [], remotePath: 'inherit', commandStdin: 'null' }), 'leak').stdout).toBe('');
    expect(run(buildRemoteScript({ command: 'cat', args: [], remotePath: 'inherit' }), 'pass').stdout).toBe('pass');
  });

  it('reads stdin-delivered env values exactly, then leaves the rest of stdin to the command', () => {
    const secrets = ['sk-abc\n\n', '', "q'$x\\"];
    const script = buildRemoteScript({ command: 'sh', args: ['-c', 'printf "%s|%s|%s|" "$A" "$B" "$C"; cat'], stdinEnvNames: ['A', 'B', 'C'], remotePath: 'inherit' });
    expect(script).not.toContain('sk-abc');
    expect(run(script, encodeSecretLines(secrets) + 'PROMPT').stdout).toBe(`${secrets.join('|')}|PROMPT`);
  });

  it('fails clearly when the env values never arrive', () => {
    const result = run(buildRemoteScript({ command: 'true', args: [], stdinEnvNames: ['A'], remotePath: 'inherit' }), '');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('expected env values on stdin');
  });

  it('reports pid, start and exit through markers and keeps the exit status', () => {
    const result = run(buildRemoteScript({ command: 'sh', args: ['-c', 'echo out; echo err >&2; exit 7'], statusMarker: 'T0K', remotePath: 'inherit' }));
    expect(result.status).toBe(7);
    expect(result.stdout).toBe('out\n');
    expect(result.stderr).toMatch(/^\nT0K:pid:\d+\n\nT0K:started\nerr\n\nT0K:exit:7\n$/);
  });

  it('reports a missing cwd and a missing command distinctly', () => {
    const cwd = run(buildRemoteScript({ command: 'true', args: [], cwd: '/nonexistent/dir', statusMarker: 'M', remotePath: 'inherit' }));
    expect(cwd.status).toBe(1);
    expect(cwd.stderr).toContain(markerLine('M', 'cwd-missing'));
    const missing = run(buildRemoteScript({ command: 'definitely-not-a-command-xyz', args: [], statusMarker: 'M', remotePath: 'inherit' }));
    expect(missing.status).toBe(127);
    expect(missing.stderr).toContain(markerLine('M', 'not-found'));
    expect(missing.stderr).not.toContain(markerLine('M', 'started'));
  });

  it('refuses a marker token that would need quoting', () => {
    expect(() => buildRemoteScript({ command: 'x', args: [], statusMarker: "a'b" })).toThrow(expect.objectContaining({ code: 'UNSAFE_ARGUMENT', field: 'statusMarker' }));
  });
});

describe('remotePathLines', () => {
  it('prepends existing user bin dirs and nvm default without sourcing profiles', () => {
    const lines = remotePathLines('augment').join('\n');
    expect(lines).toContain('"$HOME"/.local/bin');
    expect(lines).toContain('.nvm');
    expect(lines).not.toMatch(/(^|[\s;&|])(\.|source)\s+["~$/]/m);
    expect(remotePathLines('inherit')).toEqual([]);
    expect(remotePathLines(['/opt/a', '~/b'])).toEqual(['PATH=/opt/a:"$HOME"/b:"$PATH"', 'export PATH']);
  });

  it('produces a PATH with the existing dirs first under /bin/sh', () => {
    const script = [...remotePathLines('augment'), 'printf %s "$PATH"'].join('\n');
    const result = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent-home' } });
    expect(result.stdout.endsWith('/usr/bin:/bin')).toBe(true);
    expect(result.stdout).not.toContain('/nonexistent-home');
  });
});

describe('anyShellCommand', () => {
  it('hands the login shell a single-quoted, shell-neutral printf format', () => {
    const command = anyShellCommand("echo 'it''s' \\ !");
    expect(command.startsWith(`exec /bin/sh -c 'eval "$(printf "$1")"' sshwrap '`)).toBe(true);
    const body = command.slice(command.lastIndexOf(" '") + 2, -1);
    expect(body).not.toMatch(/['!`\n%]/);
  });
});

describe('status markers around a command killed by a signal', () => {
  it.each(['dash', 'bash', 'mksh', 'zsh', 'busybox ash'])('%s as the script shell adds no "Killed" notice and leaks no extra fds', (shell) => {
    const script = buildRemoteScript({
      command: 'sh',
      args: ['-c', 'cat; echo child-err >&2; for fd in 3 4; do [ -e /proc/self/fd/$fd ] && echo "leaked fd $fd" >&2; done; kill -KILL $$'],
      statusMarker: 'K1',
      remotePath: 'inherit',
    });
    const [program, ...programArgs] = shell.split(' ');
    const result = spawnSync(program!, [...programArgs, '-c', script], { input: 'IN', encoding: 'utf8' });
    expect(result.stdout).toBe('IN');
    expect(result.stderr.replace(/\nK1:pid:\d+\n/, '')).toBe('\nK1:started\nchild-err\n\nK1:exit:137\n');
    expect(result.status).toBe(137);
  });
});

describe('marker mode runs the same program as exec mode', () => {
  it('a name that is also a shell builtin runs the binary on PATH', () => {
    for (const statusMarker of [undefined, 'B1']) {
      const script = buildRemoteScript({ command: 'echo', args: ['-e', 'a\\tb'], statusMarker, remotePath: 'inherit' });
      // /bin/echo (coreutils) takes -e; dash's builtin echo would print "-e".
      expect(spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8' }).stdout).toBe('a\tb\n');
    }
  });
});

describe('exported builders validate their input', () => {
  const refusal = (build: () => unknown) => {
    try {
      build();
    } catch (error) {
      expect(error).toBeInstanceOf(SshWrapError);
      return { code: (error as SshWrapError).code, field: (error as SshWrapError).field };
    }
    throw new Error('expected a refusal');
  };

  it('refuses an env name that would inject a command (the exported-function hole)', () => {
    const spec = { command: 'echo', args: ['x'], cwd: '/tmp', env: { 'X;touch /tmp/pwn;Y': 'v' } };
    expect(refusal(() => buildRemoteCommand(spec))).toEqual({ code: 'INVALID_CONFIG', field: 'env.X;touch /tmp/pwn;Y' });
    expect(refusal(() => buildRemoteScript(spec))).toEqual({ code: 'INVALID_CONFIG', field: 'env.X;touch /tmp/pwn;Y' });
    expect(refusal(() => buildPowerShellScript(spec))).toEqual({ code: 'INVALID_CONFIG', field: 'env.X;touch /tmp/pwn;Y' });
    expect(refusal(() => exportStatement(spec.env))).toEqual({ code: 'INVALID_CONFIG', field: 'env.X;touch /tmp/pwn;Y' });
  });

  it.each([
    [{ command: '-x', args: [] }, 'UNSAFE_ARGUMENT', 'command'],
    [{ command: '', args: [] }, 'INVALID_CONFIG', 'command'],
    [{ command: 'a\u0000', args: [] }, 'UNSAFE_ARGUMENT', 'command'],
    [{ command: 'a', args: ['ok', 'b\u0000'] }, 'UNSAFE_ARGUMENT', 'args[1]'],
    [{ command: 'a', args: [], cwd: '/tmp\u0000' }, 'UNSAFE_ARGUMENT', 'cwd'],
    [{ command: 'a', args: [], env: { A: 'v\u0000' } }, 'UNSAFE_ARGUMENT', 'env.A'],
  ])('buildRemoteCommand and buildRemoteScript refuse %j', (spec, code, field) => {
    expect(refusal(() => buildRemoteCommand(spec))).toEqual({ code, field });
    expect(refusal(() => buildRemoteScript(spec))).toEqual({ code, field });
  });

  it.each([
    [{ stdinEnvNames: ['OK', 'A;B'] }, 'INVALID_CONFIG', 'stdinEnvNames[1]'],
    [{ statusMarker: 'tok$(x)' }, 'UNSAFE_ARGUMENT', 'statusMarker'],
    [{ remotePath: ['/ok', '/bin\u0000'] }, 'UNSAFE_ARGUMENT', 'remotePath[1]'],
    [{ commandStdin: 'file' }, 'INVALID_CONFIG', 'commandStdin'],
  ])('buildRemoteScript and buildPowerShellScript refuse %j', (extra, code, field) => {
    const spec = { command: 'a', args: [], ...extra } as RemoteScriptSpec;
    expect(refusal(() => buildRemoteScript(spec))).toEqual({ code, field });
    expect(refusal(() => buildPowerShellScript(spec))).toEqual({ code, field });
  });

  it('the word helpers and transports refuse what no shell word can carry', () => {
    expect(refusal(() => remoteDirWord('/a\u0000'))).toEqual({ code: 'UNSAFE_ARGUMENT', field: 'dir' });
    expect(refusal(() => commandWords('--help', []))).toEqual({ code: 'UNSAFE_ARGUMENT', field: 'command' });
    expect(refusal(() => commandWords('ls', ['\u0000']))).toEqual({ code: 'UNSAFE_ARGUMENT', field: 'args[0]' });
    expect(refusal(() => anyShellCommand('echo \u0000'))).toEqual({ code: 'UNSAFE_ARGUMENT', field: 'script' });
    expect(refusal(() => powerShellCommand('exit \u0000'))).toEqual({ code: 'UNSAFE_ARGUMENT', field: 'script' });
    expect(refusal(() => powerShellCommand(''))).toEqual({ code: 'INVALID_CONFIG', field: 'script' });
    expect(refusal(() => encodeSecretLines(['ok', 'a\u0000']))).toEqual({ code: 'UNSAFE_ARGUMENT', field: 'values[1]' });
  });
});

describe('anyShellCommand encodes the constant PATH block once', () => {
  const augment = remotePathLines('augment').join('\n');
  const whole = (script: string): string => `exec /bin/sh -c 'eval "$(printf "$1")"' sshwrap '${encodeForAnyShell(script)}'`;

  it.each([
    ['the block in the middle', `cd "$HOME" || exit 1\n${augment}\nexec agent 'é\\x' "$x"`],
    ['the block at the end', `printf x\n${augment}`],
    ['the block first', `${augment}\nexec agent`],
    ['the block twice', `a\n${augment}\n${augment}\nb`],
    ['no block', '-x\nexec agent'],
  ])('%s: the same bytes as encoding the whole script', (_name, script) => {
    expect(anyShellCommand(script)).toBe(whole(script));
  });
});
