import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { expandIdentityFile } from '../../src/resolve/index.js';

const values = { hostArg: 'app', hostname: 'app.corp', user: 'dev', port: 2222, proxyJump: 'jump' };

describe('expandIdentityFile', () => {
  it('expands ~ and the documented % tokens', () => {
    const home = os.userInfo().homedir;
    expect(expandIdentityFile('~/.ssh/%h_%r_%p_%n_%j_%k', values)).toBe(`${home}/.ssh/app.corp_dev_2222_app_jump_app`);
    expect(expandIdentityFile('%d/%u/%i/%%h', values)).toBe(`${home}/${os.userInfo().username}/${os.userInfo().uid}/%h`);
    expect(expandIdentityFile('%l', values)).toBe(os.hostname());
    expect(expandIdentityFile('~', values)).toBe(home);
  });

  it('keeps %C and unknown tokens literal, and ~user untouched', () => {
    expect(expandIdentityFile('/k/%C-%Z', values)).toBe('/k/%C-%Z');
    expect(expandIdentityFile('~bob/key', values)).toBe('~bob/key');
  });

  it('expands ${VAR} from the given env and keeps unset ones literal', () => {
    expect(expandIdentityFile('${KEYS}/id_${MISSING}', values, { KEYS: '/srv/keys' })).toBe('/srv/keys/id_${MISSING}');
  });

  it('does not re-expand what a token produced', () => {
    expect(expandIdentityFile('/k/%r', { ...values, user: '%h' })).toBe('/k/%h');
  });
});
