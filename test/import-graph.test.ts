import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(path: string): string[] {
  if (statSync(path).isFile()) return [path];
  return readdirSync(path).flatMap((name) => files(join(path, name)));
}

/** Relative imports of a file, type-only ones included: a cycle through option types is still a cycle. */
function edges(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const specs = [
    ...[...source.matchAll(/^(?:import|export)\s[^;]*?from\s+['"](\.[^'"]+)['"]/gm)].map((match) => match[1]!),
    ...[...source.matchAll(/import\(['"](\.[^'"]+)['"]\)/g)].map((match) => match[1]!),
  ];
  return specs.map((spec) => normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts'));
}

/** One cycle in the graph as a path `a → b → … → a`, or `undefined`. */
export function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('import graph of src/', () => {
  const graph = new Map(files('src').filter((file) => file.endsWith('.ts')).map((file) => [file, edges(file)]));

  it('reads the whole tree', () => {
    expect(graph.size).toBeGreaterThan(80);
    for (const targets of graph.values()) for (const target of targets) expect(graph.has(target), target).toBe(true);
  });

  it('has no import cycle (type-only imports included)', () => {
    expect(findCycle(graph)).toBeUndefined();
  });

  it('the cycle finder finds a cycle through a type import', () => {
    expect(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(new Map([['a', ['b']], ['b', []]]))).toBeUndefined();
  });
});
