import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// src/cli/version.ts runs from source (tsx) and from dist/cli.js after bundling; the package.json
// is two levels up in the first case and one in the second, so look upward, a bounded few levels.
const MAX_LEVELS = 4;

/**
 * The version of the sshwrap package this CLI belongs to, `'unknown'` if its package.json cannot be found.
 *
 * @example
 * ```ts
 * cliVersion(); // '0.2.0', the version in package.json
 * ```
 */
export function cliVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < MAX_LEVELS; level++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'sshwrap' && pkg.version) return pkg.version;
    } catch {
      // no package.json at this level
    }
    dir = path.dirname(dir);
  }
  return 'unknown';
}
