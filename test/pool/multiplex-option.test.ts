import { describe, expect, it } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';
import { resolveMultiplexOption } from '../../src/pool/multiplex-option.js';

describe('resolveMultiplexOption', () => {
  it('is off for false and undefined', () => {
    expect(resolveMultiplexOption(false)).toBeNull();
    expect(resolveMultiplexOption(undefined)).toBeNull();
  });

  it('fills the documented defaults', () => {
    expect(resolveMultiplexOption(true)).toEqual({ persistSeconds: 60, maxSessionsPerMaster: 10, maxConcurrentPerHost: 8 });
    expect(resolveMultiplexOption({ persistSeconds: 5 })).toEqual({ persistSeconds: 5, maxSessionsPerMaster: 10, maxConcurrentPerHost: 8 });
  });

  it.each([{ persistSeconds: 0 }, { persistSeconds: 1.5 }, { maxSessionsPerMaster: 0 }, { maxConcurrentPerHost: -1 }])('refuses %o', (option) => {
    let caught: unknown;
    try {
      resolveMultiplexOption(option);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SshWrapError);
    expect((caught as SshWrapError).code).toBe('INVALID_CONFIG');
  });
});
