import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NOISE_MODES, noiseOf, renderNoiseScript, type NoiseMode } from './noise.js';

// The framing tests compare against noiseOf(): the rendered script must print exactly that.
describe('login noise script', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sshwrap-noise-'));
  const script = path.join(dir, 'noise.sh');
  fs.writeFileSync(script, renderNoiseScript());
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(Object.keys(NOISE_MODES) as NoiseMode[])('%s prints exactly noiseOf(mode, file) under /bin/sh', (mode) => {
    const run = spawnSync('/bin/sh', [script, mode, '.some-rc'], { encoding: 'buffer', env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' } });
    const expected = noiseOf(mode, '.some-rc');
    expect(run.status).toBe(0);
    expect(run.stdout.equals(Buffer.from(expected.stdout))).toBe(true);
    expect(run.stderr.equals(Buffer.from(expected.stderr))).toBe(true);
    expect(expected.stdout + expected.stderr).toContain('noise from .some-rc');
  });

  it('an unknown mode says so on stderr only', () => {
    const run = spawnSync('/bin/sh', [script, 'nope', '.x'], { encoding: 'utf8' });
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('unknown SSHWRAP_TEST_NOISE mode nope');
  });
});
