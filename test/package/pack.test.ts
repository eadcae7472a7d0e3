import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// What `npm publish` would ship, checked against an allow-list: the built entry points and their
// chunks, README, LICENSE and package.json; never sources, tests, docs/api or bench results.
const built = existsSync('dist/index.js');
if (!built && process.env.CI) throw new Error('dist/ is missing: CI must run `npm run build` before `npm test`');

describe.skipIf(!built)('npm pack', () => {
  it('ships exactly the allowed files, including every entry point', () => {
    const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8', timeout: 60_000 });
    expect(packed.status, packed.stderr).toBe(0);
    const files = (JSON.parse(packed.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((file) => file.path).sort();
    const allowed = /^(LICENSE|README\.md|CHANGELOG\.md|package\.json|dist\/[\w.-]+\.(js|cjs|d\.ts|d\.cts)(\.map)?)$/;
    expect(files.filter((file) => !allowed.test(file))).toEqual([]);
    for (const entry of ['index', 'core', 'testing']) {
      for (const ext of ['js', 'cjs', 'd.ts', 'd.cts']) expect(files).toContain(`dist/${entry}.${ext}`);
    }
    expect(files).toEqual(expect.arrayContaining(['dist/cli.js', 'LICENSE', 'README.md', 'CHANGELOG.md', 'package.json']));
  });
});
