import { describe, expect, it } from 'vitest';
import { codeFromMessage, parseListing, parseStatLine } from '../../src/files/index.js';

describe('parseStatLine', () => {
  it.each([
    ['5 1764000000 81a4', { type: 'file', size: 5, mtimeMs: 1_764_000_000_000, mode: 0o644 }],
    ['4096 1764000001 41ed', { type: 'directory', size: 4096, mtimeMs: 1_764_000_001_000, mode: 0o755 }],
    ['7 0 a1ff', { type: 'symlink', size: 7, mtimeMs: 0, mode: 0o777 }],
    ['0 1 21b6', { type: 'other', size: 0, mtimeMs: 1000, mode: 0o666 }],
    ['0 1 C1ED', { type: 'other', size: 0, mtimeMs: 1000, mode: 0o755 }],
    ['1 2 8fed', { type: 'file', size: 1, mtimeMs: 2000, mode: 0o7755 }],
  ])('%s', (line, expected) => {
    expect(parseStatLine(line)).toEqual(expected);
  });

  it.each(['', '5 1764000000', 'x 1 81a4', '5 1 81a4 extra', '5 1 zz'])('refuses %j', (line) => {
    expect(() => parseStatLine(line)).toThrow();
  });
});

describe('parseListing: NUL-framed <stat>\\0<name>\\0 records', () => {
  it('keeps every name byte-exact (newlines, quotes, spaces, non-ASCII, a stat-looking name)', () => {
    const names = ['a b', 'new\nline', `q'"`, 'ünï-名前', '5 1 81a4', '\n', ' '];
    const output = Buffer.concat(names.map((name, index) => Buffer.from(`${index} 1764000000 81a4\0${name}\0`)));
    expect(parseListing(output)).toEqual(names.map((name, index) => ({ name, type: 'file', size: index, mtimeMs: 1_764_000_000_000, mode: 0o644 })));
  });

  it('an empty directory is an empty listing', () => {
    expect(parseListing(new Uint8Array(0))).toEqual([]);
  });

  it.each([
    ['a record cut short', '5 1 81a4\0name'],
    ['a name with a slash', '5 1 81a4\0a/b\0'],
    ['an empty name', '5 1 81a4\0\0'],
    ['a dot entry', '5 1 41ed\0..\0'],
    ['a broken stat line', 'x\0name\0'],
  ])('refuses %s', (_name, output) => {
    expect(() => parseListing(Buffer.from(output))).toThrow();
  });
});

describe('codeFromMessage: a remote tool C-locale message → fs code', () => {
  it.each([
    ['cat: write error: No space left on device', 'ENOSPC'],
    ['sh: 1: cannot create /srv/x: Permission denied', 'EACCES'],
    ["mv: cannot move 'a' to 'b/c': Not a directory", 'ENOTDIR'],
    ["rmdir: failed to remove 'x': Directory not empty", 'ENOTEMPTY'],
    ['cat: write error: Disk quota exceeded', 'EDQUOT'],
    ["mkdir: cannot create directory '/x': Read-only file system", 'EROFS'],
    ["mkdir: cannot create directory 'No space left on device': Permission denied", 'EACCES'],
    ['something else', 'EIO'],
  ])('%s → %s', (message, code) => {
    expect(codeFromMessage(message)).toBe(code);
  });
});
