import { describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { startTestSshServer } from '../../src/testing/index.js';

// Refusals only: nothing here may start a server (the integration suite does that).
describe('startTestSshServer refuses bad input before starting anything', () => {
  it('an unknown option', async () => {
    await expect(startTestSshServer({ prot: 2222 } as never)).rejects.toMatchObject({ code: 'INVALID_CONFIG', field: 'prot' });
  });

  it('a relative sshdPath (sshd re-executes itself from an absolute one)', async () => {
    await expect(startTestSshServer({ sshdPath: 'sshd' })).rejects.toMatchObject({ code: 'INVALID_CONFIG', field: 'sshdPath' });
  });

  it('a missing sshd, with what to install', async () => {
    const error = await startTestSshServer({ sshdPath: '/nonexistent/sbin/sshd' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SshWrapError);
    expect(error).toMatchObject({ code: 'SPAWN_FAILED', field: 'sshdPath' });
    expect((error as SshWrapError).hint).toMatch(/apt-get install openssh-server/);
  });

  it('an sshdConfig entry spanning lines (it would inject config)', async () => {
    await expect(startTestSshServer({ sshdConfig: ['MaxSessions 5\nPermitRootLogin yes'] })).rejects.toMatchObject({ code: 'INVALID_CONFIG', field: 'sshdConfig' });
  });
});
