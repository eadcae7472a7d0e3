import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SSH_FAILURE_HINTS, SSH_FAILURE_KINDS } from '../../src/classify/kinds.js';

// docs/guides/troubleshooting.md has one section per errorKind, headed exactly by the kind
// (`## auth-failed`), and each quotes the library's hint, so a new kind or a changed hint
// cannot ship without its troubleshooting section.
const GUIDE = 'docs/guides/troubleshooting.md';

function sections(): Map<string, string> {
  const found = new Map<string, string>();
  let current: string | undefined;
  for (const line of fs.readFileSync(GUIDE, 'utf8').split('\n')) {
    const heading = /^#{2,3} (.+?)\s*$/.exec(line);
    if (heading) {
      current = heading[1]!;
      found.set(current, '');
    } else if (current !== undefined) {
      found.set(current, `${found.get(current)!}${line}\n`);
    }
  }
  return found;
}

const squash = (text: string): string => text.replace(/\s+/g, ' ');

describe(GUIDE, () => {
  const bySection = sections();

  it.each([...SSH_FAILURE_KINDS])('has a section named %s', (kind) => {
    expect(bySection.has(kind), `add a "## ${kind}" section to ${GUIDE}`).toBe(true);
  });

  it.each([...SSH_FAILURE_KINDS])('quotes the hint of %s', (kind) => {
    expect(squash(bySection.get(kind) ?? ''), `quote SSH_FAILURE_HINTS['${kind}'] in the "## ${kind}" section`).toContain(squash(SSH_FAILURE_HINTS[kind]));
  });

  it('also covers what the CLI reports besides the kinds', () => {
    expect(bySection.has('connection-lost')).toBe(true);
  });
});
