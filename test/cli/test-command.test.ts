import { describe, expect, it } from 'vitest';
import { testPassed } from '../../src/cli/commands/test.js';

const details = { hostname: 'h', username: 'u', platform: 'Linux', arch: 'x86_64' };

describe('testPassed', () => {
  it('passes a connection without an agent check', () => {
    expect(testPassed({ success: true, message: 'ok', details }, undefined)).toBe(true);
  });

  it('fails a connection whose requested agent is missing, though testConnection calls it a success', () => {
    expect(testPassed({ success: true, message: 'ok', details: { ...details, agentAvailable: false }, errorKind: 'agent-not-found' }, 'claude')).toBe(false);
    expect(testPassed({ success: true, message: 'ok', details: { ...details, agentAvailable: true } }, 'claude')).toBe(true);
  });

  it('fails a failed connection', () => {
    expect(testPassed({ success: false, message: 'no', error: 'refused', errorKind: 'connection-refused' }, undefined)).toBe(false);
  });
});
