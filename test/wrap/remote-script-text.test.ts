import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildRemoteScript, encodeSecretLines, markerLine, remotePathLines } from '../../src/wrap/index.js';

const run = (script: string, stdin = '', env: NodeJS.ProcessEnv = process.env) => spawnSync('/bin/sh', ['-c', script], { input: stdin, encoding: 'utf8', cwd: '/', env });

describe('buildRemoteScript: the whole script', () => {
  it('with every feature and a status marker', () => {
    const script = buildRemoteScript({ command: 'cmd', args: ['a b'], cwd: '~/x', env: { A: '1' }, stdinEnvNames: ['S'], statusMarker: 'TK', remotePath: ['/opt/b'], commandStdin: 'null' });
    expect(script.split('\n')).toEqual([
      `printf '\\n%s%s\\n' 'TK:pid' :"$$" >&2`,
      `IFS= read -r __sw_l || { printf '\\n%s%s\\n' 'TK:stdin-missing' '' >&2; echo 'sshwrap: expected env values on stdin' >&2; exit 1; }`,
      'S=$(printf "$__sw_l"; printf x); S=${S%x}; export S',
      'PATH=/opt/b:"$PATH"',
      'export PATH',
      `cd "$HOME"/x || { printf '\\n%s%s\\n' 'TK:cwd-missing' '' >&2; exit 1; }`,
      'export A=1',
      `command -v cmd >/dev/null 2>&1 || { printf '\\n%s%s\\n' 'TK:not-found' '' >&2; exit 127; }`,
      `printf '\\n%s%s\\n' 'TK:started' '' >&2`,
      'exec 4>&2 2>/dev/null',
      `( exec cmd 'a b' 2>&4 4>&- </dev/null )`,
      '__sw_s=$?',
      `printf '\\n%s%s\\n' 'TK:exit' :"$__sw_s" >&4`,
      'exit "$__sw_s"',
    ]);
  });

  it('without a marker: no printf, the command exec-ed in place', () => {
    expect(buildRemoteScript({ command: 'cmd', args: [], stdinEnvNames: ['S'], remotePath: 'inherit' }).split('\n')).toEqual([
      `IFS= read -r __sw_l || { echo 'sshwrap: expected env values on stdin' >&2; exit 1; }`,
      'S=$(printf "$__sw_l"; printf x); S=${S%x}; export S',
      'exec cmd',
    ]);
    expect(buildRemoteScript({ command: 'cmd', args: ['x'], cwd: '', env: {}, remotePath: 'inherit', commandStdin: 'inherit' })).toBe('exec cmd x');
    expect(buildRemoteScript({ command: 'cmd', args: [], cwd: '/tmp', remotePath: 'inherit', commandStdin: 'null' })).toBe('cd /tmp || { exit 1; }\nexec cmd </dev/null');
  });

  it('the default PATH handling is augment', () => {
    expect(buildRemoteScript({ command: 'cmd', args: [] }).split('\n')).toEqual([...remotePathLines('augment'), 'exec cmd']);
  });
});

describe('buildRemoteScript under /bin/sh', () => {
  it('reports missing env values on stdin with a marker, before running anything', () => {
    const script = buildRemoteScript({ command: 'echo', args: ['ran'], stdinEnvNames: ['A', 'B'], statusMarker: 'M', remotePath: 'inherit' });
    const result = run(script, encodeSecretLines(['only-one']));
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^\nM:pid:\d+\n\nM:stdin-missing\nsshwrap: expected env values on stdin\n$/);
  });

  it('a missing cwd stops the script before the command, with and without a marker', () => {
    const plain = run(buildRemoteScript({ command: 'echo', args: ['ran'], cwd: '/nonexistent/x', remotePath: 'inherit' }));
    expect(plain.status).toBe(1);
    expect(plain.stdout).toBe('');
    const marked = run(buildRemoteScript({ command: 'echo', args: ['ran'], cwd: '/nonexistent/x', statusMarker: 'M', remotePath: 'inherit' }));
    expect(marked.status).toBe(1);
    expect(marked.stdout).toBe('');
    expect(marked.stderr).toMatch(/\nM:cwd-missing\n$/);
  });

  it('a missing command exits 127 with the not-found marker and nothing else after it', () => {
    const result = run(buildRemoteScript({ command: 'no-such-command-sw', args: [], statusMarker: 'M', remotePath: 'inherit' }));
    expect(result.status).toBe(127);
    expect(result.stderr).toMatch(/^\nM:pid:\d+\n\nM:not-found\n$/);
  });

  it("marker mode gives the command /dev/null with commandStdin 'null', the caller's stdin otherwise", () => {
    const closed = run(buildRemoteScript({ command: 'cat', args: [], statusMarker: 'M', remotePath: 'inherit', commandStdin: 'null' }), 'leak');
    expect(closed.stdout).toBe('');
    expect(closed.stderr).toMatch(/\nM:exit:0\n$/);
    const open = run(buildRemoteScript({ command: 'cat', args: [], statusMarker: 'M', remotePath: 'inherit' }), 'pass');
    expect(open.stdout).toBe('pass');
  });

  it('cd, export and args take effect, and the exit status is the command\'s', () => {
    const script = buildRemoteScript({ command: 'sh', args: ['-c', 'printf "%s|%s|%s" "$PWD" "$A" "$1"; exit 3', 'zero', 'one two'], cwd: '/tmp', env: { A: "x 'y'" }, remotePath: 'inherit' });
    const result = run(script);
    expect(result.stdout).toBe("/tmp|x 'y'|one two");
    expect(result.status).toBe(3);
  });

  it('markerLine is exactly what the script writes', () => {
    expect(markerLine('T', 'exit', 0)).toBe('\nT:exit:0\n');
    expect(markerLine('T', 'started')).toBe('\nT:started\n');
    expect(markerLine('T', 'pid', '42')).toBe('\nT:pid:42\n');
  });
});
