// The consumer's own vitest config for examples/agent-runner.test.ts (an app would have one like
// it). sshwrap's test suite runs it as a child process from test/integration/examples.test.ts; the
// repository's vitest.config.ts does not include examples/, so it never runs twice.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
