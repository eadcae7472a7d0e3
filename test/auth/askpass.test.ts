import { describe, expect, it } from 'vitest';
import { createAskpass } from '../../src/auth/index.js';
import { SshWrapError } from '../../src/errors/index.js';

describe('createAskpass', () => {
  it('is refused with a typed error on Windows', async () => {
    await expect(createAskpass({ onPrompt: () => 'x', platform: 'win32' })).rejects.toBeInstanceOf(SshWrapError);
  });

  it('forces ssh to use the helper and lets it prompt', async () => {
    const askpass = await createAskpass({ onPrompt: () => 'x' });
    try {
      expect(askpass.env).toMatchObject({ SSH_ASKPASS_REQUIRE: 'force' });
      expect(askpass.sshOptions).toEqual({ BatchMode: 'no' });
      expect(JSON.stringify(askpass.env)).not.toContain('"x"');
    } finally {
      await askpass.close();
      await askpass.close();
    }
  });
});
