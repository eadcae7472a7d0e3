import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import base from './vitest.config.js';

// Stryker runs the test suite once per mutant, so it gets the `unit` project alone: the
// integration project needs root and a private sshd and takes minutes. The unit project is taken
// from vitest.config.ts rather than copied, so the two cannot drift apart.
const unit = base.test?.projects?.find(
  (project): project is TestProjectInlineConfiguration => typeof project === 'object' && 'test' in project && project.test?.name === 'unit',
);
if (!unit?.test) throw new Error('vitest.config.ts has no project named "unit"');

export default defineConfig({ test: unit.test });
