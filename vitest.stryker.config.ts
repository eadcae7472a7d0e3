import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import base from './vitest.config.js';

// Stryker runs the test suite once per mutant, so it gets the `unit` project alone: the
// integration project needs root and a private sshd and takes minutes. The unit project is taken
// from vitest.config.ts rather than copied, so the two cannot drift apart.
const unit = base.test?.projects?.find(
  (project): project is TestProjectInlineConfiguration => typeof project === 'object' && 'test' in project && project.test?.name === 'unit',
);
if (!unit?.test) throw new Error('vitest.config.ts has no project named "unit"');

// builders-property.test.ts spawns /bin/sh and `ssh -G` some 1,400 times (about 30 s, two thirds
// of the whole unit run) and Stryker reruns every test for each static mutant, so it is left out
// here. The same behaviour stays covered by faster tests: exact script and argv text
// (test/wrap/*-text.test.ts, ssh-args, remote-command, wrap-for-remote), scripts run under sh
// (remote-command, env-on-stdin, wrap-spawn's byte-exact property) and the refusals
// (injection.test.ts, remote-command's "exported builders validate their input").
const STRYKER_EXCLUDED = ['test/wrap/builders-property.test.ts'];

export default defineConfig({ test: { ...unit.test, exclude: [...(unit.test.exclude ?? []), ...STRYKER_EXCLUDED] } });
