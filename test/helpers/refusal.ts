import { expect } from 'vitest';
import { SshWrapError } from '../../src/errors/index.js';

/** Runs `run`, expects it to throw an `SshWrapError` and returns it (fails the test otherwise). */
export function refusal(run: () => unknown): SshWrapError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SshWrapError);
    return error as SshWrapError;
  }
  throw new Error('expected a refusal');
}
