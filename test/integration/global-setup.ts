import type { TestProject } from 'vitest/node';
import { NOISE_VARIABLE, sshdAvailable, startTestbed, testbedInfo, type TestbedInfo } from '../testbed/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testbed: TestbedInfo | null;
    testbedSkipReason: string | null;
  }
}

function warnSkipped(reason: string): void {
  const bar = '!'.repeat(78);
  process.stderr.write(
    [
      '',
      bar,
      '!! sshwrap integration tests are SKIPPED: no real OpenSSH test bed.',
      `!! Reason: ${reason}`,
      '!! They run against a throwaway sshd with one user per shell, which needs root',
      '!! and the packages installed by .ci/run (openssh-server, zsh, fish, tcsh, ...).',
      '!! CI sets CI=true, which turns this skip into a hard failure.',
      bar,
      '',
      '',
    ].join('\n'),
  );
}

/** One real sshd for the whole integration project; tests reach it via inject('testbed'). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const availability = sshdAvailable({ users: 'all-shells' });
  if (!availability.ok) {
    if (process.env.CI) {
      throw new Error(`CI must run the real-OpenSSH integration tests, but: ${availability.reason}`);
    }
    warnSkipped(availability.reason);
    project.provide('testbed', null);
    project.provide('testbedSkipReason', availability.reason);
    return async () => {};
  }

  const testbed = await startTestbed({
    users: 'all-shells',
    // Another checkout's test run on the same machine may hold the shared swt_* users.
    lockWaitMs: 180_000,
    // Every test file shares this sshd; the default 10:30:100 randomly drops handshakes once
    // parallel files have >10 in flight. Tests about MaxStartups start their own testbed.
    // AcceptEnv: framing.test.ts makes the users' startup files print (test/testbed/noise.ts);
    // no other test sends the variable, so their sessions stay clean.
    sshdConfigExtra: ['MaxStartups 100:30:200', `AcceptEnv ${NOISE_VARIABLE}`],
  });
  project.provide('testbed', testbedInfo(testbed));
  project.provide('testbedSkipReason', null);
  return () => testbed.stop();
}
