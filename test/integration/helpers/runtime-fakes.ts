import fs from 'node:fs';
import path from 'node:path';

/**
 * Fake runtime-manager installs in the test users' homes (and, when absent, in system dirs), and
 * their exact removal. Other test files share these homes and may use the same dirs at the same
 * time (`~/.local/bin`, `~/.nvm`), so only what this tracker created is removed: files always,
 * directories only once empty.
 */
export class FakeInstalls {
  private readonly files: string[] = [];
  private readonly dirs: string[] = [];

  /** mkdir -p `dir` (absolute), new parts owned by uid/gid like the user's own installs would be. */
  mkdir(dir: string, owner: { uid: number; gid: number }): string {
    const missing: string[] = [];
    for (let current = dir; !fs.existsSync(current); current = path.dirname(current)) missing.unshift(current);
    for (const part of missing) {
      fs.mkdirSync(part, { mode: 0o755 });
      fs.chownSync(part, owner.uid, owner.gid);
      this.dirs.push(part);
    }
    return dir;
  }

  /** A file (default: an executable `#!/bin/sh` script), in a dir made with {@link mkdir}. */
  file(file: string, text: string, owner: { uid: number; gid: number }, mode = 0o755): string {
    this.mkdir(path.dirname(file), owner);
    fs.writeFileSync(file, text, { mode });
    fs.chmodSync(file, mode);
    fs.chownSync(file, owner.uid, owner.gid);
    this.files.push(file);
    return file;
  }

  /** A fake agent: prints what it `says` (literally), then its arguments. */
  agent(dir: string, name: string, says: string, owner: { uid: number; gid: number }): string {
    return this.file(path.join(dir, name), `#!/bin/sh\necho '${says.replaceAll("'", `'\\''`)}' "$@"\n`, owner);
  }

  symlink(target: string, link: string, owner: { uid: number; gid: number }): void {
    this.mkdir(path.dirname(link), owner);
    fs.symlinkSync(target, link);
    fs.lchownSync(link, owner.uid, owner.gid);
    this.files.push(link);
  }

  /** Removes the files, then every directory created here that is empty (deepest first). */
  removeAll(): void {
    for (const file of this.files.splice(0).reverse()) fs.rmSync(file, { force: true });
    for (const dir of this.dirs.splice(0).sort((a, b) => b.length - a.length)) {
      try {
        fs.rmdirSync(dir);
      } catch {
        // not empty: another test file's install is still in it; that file removes its own
      }
    }
  }
}

export function ownerOf(dir: string): { uid: number; gid: number } {
  const { uid, gid } = fs.statSync(dir);
  return { uid, gid };
}
