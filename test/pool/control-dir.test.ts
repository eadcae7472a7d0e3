import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findControlDir, prepareControlDir } from '../../src/pool/control-dir.js';

describe('prepareControlDir', () => {
  let base: string;
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'swpool-dir-'));
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  it('creates the directory with mode 0700', () => {
    const dir = path.join(base, 'sockets');
    expect(prepareControlDir(dir)).toBeNull();
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('tightens a directory of ours that others can read', () => {
    const dir = path.join(base, 'loose');
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    expect(prepareControlDir(dir)).toBeNull();
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('refuses a symlink, even to a good directory', () => {
    const real = path.join(base, 'real');
    fs.mkdirSync(real, { mode: 0o700 });
    const link = path.join(base, 'link');
    fs.symlinkSync(real, link);
    expect(prepareControlDir(link)).toBe('symlink');
  });

  it('refuses a directory owned by someone else', () => {
    const dir = path.join(base, 'theirs');
    fs.mkdirSync(dir, { mode: 0o700 });
    const otherUid = (process.getuid?.() ?? 0) + 4242;
    expect(prepareControlDir(dir, otherUid)).toBe('foreign-owner');
  });

  it('refuses a file and characters ssh would expand or split', () => {
    const file = path.join(base, 'file');
    fs.writeFileSync(file, '');
    expect(prepareControlDir(file)).toBe('not-a-directory');
    expect(prepareControlDir(path.join(base, 'a%C'))).toBe('unsafe-characters');
    expect(prepareControlDir(path.join(base, 'a b'))).toBe('unsafe-characters');
    expect(prepareControlDir('relative/dir')).toBe('unsafe-characters');
  });

  it('findControlDir skips unusable and too-long candidates', () => {
    const link = path.join(base, 'link');
    fs.symlinkSync(base, link);
    const good = path.join(base, 'good');
    const tooLong = path.join(base, 'x'.repeat(10));
    expect(findControlDir([link, tooLong, good], (dir) => dir !== tooLong)).toBe(good);
    expect(findControlDir([link], () => true)).toBeNull();
  });
});
