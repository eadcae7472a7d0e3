import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { fakeExecutor } from '../exec/fake-executor.js';
import { memoryIo, tempDir } from './helpers.js';

// Failures read in the CLI's own words: one block, ssh's line once, hints that name CLI flags.
const tmp = tempDir('sshwrap-cli-errors-');
afterAll(() => tmp.cleanup());
const remotesFile = tmp.write('remotes.json', JSON.stringify([{ id: 'box', host: 'box.example.com', username: 'dev' }, { id: 'off', host: 'off.example.com', enabled: false }]));
const env = { XDG_CONFIG_HOME: path.join(tmp.dir, 'xdg'), HOME: tmp.dir };

describe('sshwrap exec failure reports', () => {
  it('a missing --cwd: no remote sh line, the directory named, the hint about --cwd', async () => {
    const executor = fakeExecutor((child) => {
      child.marker('pid', 12);
      child.stderr.write("sh: 3: cd: can't cd to /srv/nope\n");
      child.marker('cwd-missing');
      child.exit(1);
    });
    const io = memoryIo(env, '', { executor });
    expect(await run(['exec', 'box', '--remotes', remotesFile, '--cwd', '/srv/nope', '--', 'make'], io)).toBe(254);
    expect(io.err()).toBe(
      "sshwrap: cwd-missing: cannot enter the working directory /srv/nope on the remote (can't cd to /srv/nope)\n" +
        "  hint: Check --cwd: the directory must exist on the remote and be enterable; ~ and ~/x expand there (quote them locally: --cwd '~/app').\n",
    );
  });

  it('a missing command is named, and the hint speaks of -- and --login-env, not customPath', async () => {
    const executor = fakeExecutor((child) => {
      child.marker('pid', 12).marker('not-found');
      child.exit(127);
    });
    const io = memoryIo(env, '', { executor });
    expect(await run(['exec', 'box', '--remotes', remotesFile, '--', 'claude', '--print'], io)).toBe(254);
    expect(io.err()).toMatch(/^sshwrap: agent-not-found: command not found on the remote: claude\n {2}hint: .*-- \/usr\/local\/bin\/claude.*--login-env/);
    expect(io.err()).not.toMatch(/customPath|agentBinaryName|customEnvVars/);
  });

  it('a disabled remote: a hint without fallbackToLocal', async () => {
    const io = memoryIo(env, '', { executor: fakeExecutor(() => {}) });
    expect(await run(['exec', 'off', '--remotes', remotesFile, '--', 'true'], io)).toBe(2);
    expect(io.err()).toMatch(/hint: Pick another remote \(sshwrap hosts lists them\)/);
    expect(io.err()).not.toContain('fallbackToLocal');
  });

  it('a suggestion repeats the flags given, quoted, so it runs as printed', async () => {
    const io = memoryIo(env, '', { executor: fakeExecutor(() => {}) });
    expect(await run(['wrap', 'box', '--remotes', remotesFile, '--cwd', '~/my app', '--dry-run'], io)).toBe(2);
    expect(io.err()).toContain(`e.g. sshwrap wrap box --remotes ${remotesFile} --cwd '~/my app' --dry-run -- uname -a`);
  });
});
