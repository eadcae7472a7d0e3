import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as source from '../../src/index.js';

// Paths in variables so the typecheck does not depend on a (possibly stale) dist/.
const ESM_ENTRY: string = '../../dist/index.js';
const CJS_ENTRY: string = '../../dist/index.cjs';
const built = existsSync('dist/index.js') && existsSync('dist/index.cjs');
if (!built && process.env.CI) throw new Error('dist/ is missing: CI must run `npm run build` before `npm test`');
if (!built) process.stderr.write('\n!! test/package/exports.test.ts skipped: run `npm run build` first\n');

describe.skipIf(!built)('published entry points', () => {
  it('ESM import and CJS require expose every export of src/index.ts', async () => {
    const esm = (await import(ESM_ENTRY)) as Record<string, unknown>;
    const cjs = createRequire(import.meta.url)(CJS_ENTRY) as Record<string, unknown>;
    const expected = Object.keys(source).sort();
    expect(expected.length).toBeGreaterThan(40);
    expect(Object.keys(esm).sort()).toEqual(expected);
    expect(Object.keys(cjs).sort()).toEqual(expected);
  });

  it('SshWrapError from one build is instanceof in the other', async () => {
    const esm = (await import(ESM_ENTRY)) as typeof source;
    const cjs = createRequire(import.meta.url)(CJS_ENTRY) as typeof source;
    expect(new cjs.SshWrapError('INVALID_CONFIG', 'x')).toBeInstanceOf(esm.SshWrapError);
    expect(new esm.SshWrapError('INVALID_CONFIG', 'x')).toBeInstanceOf(cjs.SshWrapError);
    expect(() => cjs.parseSshRemoteConfig({ id: 'x', host: '-oProxyCommand=x' })).toThrow(esm.SshWrapError);
  });
});
