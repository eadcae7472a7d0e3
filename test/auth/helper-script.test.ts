import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { askpassLauncher } from '../../src/auth/helper-script.js';

describe('askpassLauncher', () => {
  it('passes node and client paths with quotes, spaces and $ through sh unchanged', () => {
    const nodePath = "/opt/it's $HOME/node";
    const clientPath = '/tmp/a b/`client`.cjs';
    // `exec` replaced by printf so the script shows the words it would run.
    const script = askpassLauncher(nodePath, clientPath).replace(' exec ', " printf '%s\\n' ");
    const run = spawnSync('/bin/sh', ['-c', script, 'askpass', 'Enter passphrase:'], { encoding: 'utf8' });
    expect(run.stdout).toBe(`${nodePath}\n${clientPath}\nEnter passphrase:\n`);
  });
});
