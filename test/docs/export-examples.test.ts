import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Every name a user can import (sshwrap, sshwrap/core, sshwrap/testing) shows how it is used:
// its TSDoc has an @example. Read from typedoc's own model of the three entry points, so a
// re-export counts once, where it is documented.
interface Node {
  name: string;
  kind: number;
  comment?: { blockTags?: Array<{ tag: string }> };
  signatures?: Array<{ comment?: Node['comment'] }>;
  children?: Node[];
}
const REFERENCE = 4_194_304; // typedoc ReflectionKind.Reference: a re-export documented elsewhere

const hasExample = (node: Node): boolean =>
  [node.comment, ...(node.signatures ?? []).map((signature) => signature.comment)].some((comment) => comment?.blockTags?.some((tag) => tag.tag === '@example'));

describe('exports', () => {
  it('every export has an @example', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sshwrap-typedoc-')), 'api.json');
    try {
      const typedoc = spawnSync(process.execPath, ['node_modules/typedoc/bin/typedoc', '--json', out, '--treatWarningsAsErrors', 'false', '--out', path.join(path.dirname(out), 'html')], { encoding: 'utf8', timeout: 120_000 });
      expect(typedoc.status, typedoc.stdout + typedoc.stderr).toBe(0);
      const model = JSON.parse(fs.readFileSync(out, 'utf8')) as Node;
      const missing = (model.children ?? []).flatMap((entry) =>
        (entry.children ?? []).filter((node) => node.kind !== REFERENCE && !hasExample(node)).map((node) => `${entry.name}: ${node.name}`),
      );
      expect(missing).toEqual([]);
    } finally {
      fs.rmSync(path.dirname(out), { recursive: true, force: true });
    }
  }, 180_000);
});
