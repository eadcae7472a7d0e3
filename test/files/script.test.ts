import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FILES_SCRIPT, parseListing } from '../../src/files/index.js';

// The remote script under the /bin/sh implementations sshwrap meets (the login shell never parses
// it: it always runs under /bin/sh). Each shell found on this machine is tested.
const CANDIDATES: Array<[string, string[]]> = [
  ['dash', ['dash']],
  ['bash --posix', ['bash', '--posix']],
  ['busybox sh', ['busybox', 'sh']],
  ['mksh', ['mksh']],
];
const SHELLS = CANDIDATES.filter(([, [bin]]) => spawnSync('sh', ['-c', `command -v ${bin!}`]).status === 0);

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sshwrap-files-script-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));
const sha = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

function run(shell: string[], op: string, args: string[], input?: Uint8Array, env: NodeJS.ProcessEnv = {}) {
  const [bin, ...pre] = shell;
  const result = spawnSync(bin!, [...pre, '-c', FILES_SCRIPT, 'sshwrap-files', 'TAG', op, ...args], {
    cwd: home,
    env: { PATH: process.env.PATH, HOME: home, ...env },
    input: input ?? '',
  });
  const stderr = result.stderr.toString();
  const status = /(?:^|\n)TAG:(ok|err)(?::([^\n]*))?/.exec(stderr);
  return { stdout: result.stdout, stderr, ok: status?.[1] === 'ok', payload: status?.[2] ?? '', exit: result.status };
}

describe.each(SHELLS)('FILES_SCRIPT under %s', (name, shell) => {
  const dir = path.join(home, name.replace(/\W/g, '_'));
  fs.mkdirSync(dir);
  const rel = path.basename(dir);
  const names = ['a b', 'new\nline', `q'"`, 'ünï', '-dash', '.hidden', '..dots', '*', '$(x)'];

  it('lists every name byte-exact, NUL-framed, hidden ones included, symlinks not followed', () => {
    for (const file of names) fs.writeFileSync(path.join(dir, file), file);
    fs.symlinkSync('nowhere', path.join(dir, 'dangling'));
    const listed = run(shell, 'list', [`~/${rel}`]);
    expect(listed.stderr).toBe("\nTAG:ok\n");
    const entries = parseListing(listed.stdout);
    expect(entries.map((entry) => entry.name).sort()).toEqual([...names, 'dangling'].sort());
    expect(entries.find((entry) => entry.name === 'dangling')?.type).toBe('symlink');
    expect(entries.find((entry) => entry.name === 'new\nline')).toMatchObject({ type: 'file', size: 8 });
  });

  it.skipIf(spawnSync('sh', ['-c', 'command -v busybox']).status !== 0)('lists the same with a stat that has no --printf (busybox: one stat per entry)', () => {
    const bin = path.join(dir, 'bbbin');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, 'stat'), '#!/bin/sh\nexec busybox stat "$@"\n', { mode: 0o755 });
    const fast = parseListing(run(shell, 'list', [`~/${rel}`]).stdout).filter((entry) => entry.name !== 'bbbin');
    const slow = run(shell, 'list', [`~/${rel}`], undefined, { PATH: `${bin}:${process.env.PATH}` });
    expect(slow.stderr).toBe('\nTAG:ok\n');
    expect(parseListing(slow.stdout).filter((entry) => entry.name !== 'bbbin')).toEqual(fast);
    fs.rmSync(bin, { recursive: true });
  });

  it('writes atomically and verified; keeps the replaced file mode; a short or corrupted stream changes nothing', () => {
    const data = Buffer.from([0, 1, 2, 255, 10, 0]);
    const target = path.join(dir, 'w file');
    expect(run(shell, 'write', [`${rel}/w file`, '6', sha(data), '640'], data)).toMatchObject({ ok: true, payload: `6:${sha(data)}` });
    expect(fs.readFileSync(target)).toEqual(data);
    expect(fs.statSync(target).mode & 0o777).toBe(0o640);
    expect(run(shell, 'write', [`${rel}/w file`, '6', sha(data), '-'], data).ok).toBe(true);
    expect(fs.statSync(target).mode & 0o777).toBe(0o640);
    // The owner died mid-stream: fewer bytes than announced.
    const short = run(shell, 'write', [`${rel}/w file`, '7', sha(data), '-'], data);
    expect(short.payload).toMatch(/^EVERIFY:6 of 7 bytes/);
    expect(run(shell, 'write', [`${rel}/w file`, '6', sha('other'), '-'], data).payload).toMatch(/^EVERIFY:sha256/);
    expect(fs.readFileSync(target)).toEqual(data);
    expect(fs.readdirSync(dir).filter((file) => file.includes('.sshwrap-'))).toEqual([]);
  });

  it('reports a tool failure with its message (ENOSPC from a full disk), removing the temp file', () => {
    const bin = path.join(dir, 'fakebin');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, 'cat'), '#!/bin/sh\necho "cat: write error: No space left on device" >&2\nexit 1\n', { mode: 0o755 });
    const full = run(shell, 'write', [`${rel}/full`, '1', sha('x'), '-'], Buffer.from('x'), { PATH: `${bin}:${process.env.PATH}` });
    expect(full.payload).toBe('EIO:cat: write error: No space left on device');
    expect(fs.readdirSync(dir).filter((file) => file.startsWith('.full'))).toEqual([]);
    fs.rmSync(bin, { recursive: true });
  });

  it('refuses the home directory and / however they are spelled', () => {
    expect(run(shell, 'remove', [`${rel}/..`, 'recursive']).payload).toMatch(/^EPERM:/);
    expect(run(shell, 'remove', ['/', 'recursive']).payload).toMatch(/^EPERM:/);
    expect(fs.existsSync(home)).toBe(true);
  });

  it('reads with a size bound checked before any byte is sent', () => {
    fs.writeFileSync(path.join(dir, 'ten'), '0123456789');
    expect(run(shell, 'read', [`${rel}/ten`, '9'])).toMatchObject({ ok: false, payload: 'EFBIG:10 bytes, more than maxBytes (9)' });
    expect(run(shell, 'read', [`${rel}/ten`, '9']).stdout.length).toBe(0);
    const whole = run(shell, 'read', [`${rel}/ten`, '-', 'sum']);
    expect(whole).toMatchObject({ ok: true, payload: `10:${sha('0123456789')}` });
    expect(whole.stdout.toString()).toBe('0123456789');
    expect(run(shell, 'read', [`${rel}/none`, '-']).payload).toMatch(/^ENOENT:/);
  });
});
