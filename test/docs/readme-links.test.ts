import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

// The README is also the npm page, where a relative link points nowhere: every link must be
// absolute (the repository on GitHub) or an in-page anchor.
const HOME = 'https://github.com/sshwrap/sshwrap';

function links(markdown: string): string[] {
  const found: string[] = [];
  // Inline links and images: [text](target) / ![alt](target); reference definitions: [id]: target.
  for (const match of markdown.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) found.push(match[1]!);
  for (const match of markdown.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) found.push(match[1]!);
  return found;
}

describe('README links', () => {
  const readme = fs.readFileSync('README.md', 'utf8');

  it('are absolute (they work on the npm page)', () => {
    const relative = links(readme).filter((target) => !/^(https?:|mailto:|#)/.test(target));
    expect(relative).toEqual([]);
  });

  it('point into the repository for its own docs', () => {
    const docs = links(readme).filter((target) => target.includes('/docs/'));
    expect(docs.length).toBeGreaterThan(0);
    for (const target of docs) expect(target.startsWith(`${HOME}/blob/main/docs/`), target).toBe(true);
  });

  it('the package metadata names the same home', () => {
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as Record<string, unknown>;
    expect(pkg.repository).toEqual({ type: 'git', url: `git+${HOME}.git` });
    expect(pkg.homepage).toBe(`${HOME}#readme`);
    expect(pkg.bugs).toBe(`${HOME}/issues`);
  });
});

describe('CLI help', () => {
  it('points at the docs by URL, never at a path an installed user does not have', async () => {
    const { HELP } = await import('../../src/cli/help.js');
    for (const [name, text] of Object.entries(HELP)) {
      expect(text, name).not.toMatch(/(^|[\s(])docs\/\S+\.md/);
    }
    expect(HELP.main).toContain(`${HOME}/blob/main/docs/cli.md`);
  });
});
