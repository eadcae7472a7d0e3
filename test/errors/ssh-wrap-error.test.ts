import { describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';

describe('SshWrapError', () => {
  it('carries code, field, hint and is an Error', () => {
    const error = new SshWrapError('UNSAFE_ARGUMENT', 'bad host', { field: 'host', hint: 'fix it' });
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(SshWrapError);
    expect(error).toMatchObject({ name: 'SshWrapError', code: 'UNSAFE_ARGUMENT', field: 'host', hint: 'fix it', message: 'bad host' });
  });

  it('recognises instances from another copy of the class (ESM vs CJS build) by brand', () => {
    const foreign = Object.assign(new Error('x'), { code: 'INVALID_CONFIG' });
    Object.defineProperty(foreign, Symbol.for('sshwrap.SshWrapError'), { value: true });
    expect(foreign).toBeInstanceOf(SshWrapError);
    expect(new Error('plain')).not.toBeInstanceOf(SshWrapError);
    expect(null).not.toBeInstanceOf(SshWrapError);
  });
});
