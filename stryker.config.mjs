// Mutation testing for the pure modules: `npm run mutate` (all of them) or
// `npm run mutate -- --mutate 'src/quoting/**/*.ts'` (a subset). Not part of CI: a full run takes
// several minutes. See docs/testing.md.

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.stryker.config.ts' },
  mutate: [
    'src/quoting/**/*.ts',
    'src/wrap/**/*.ts',
    'src/schemas/**/*.ts',
    'src/classify/**/*.ts',
    'src/exec/markers.ts',
    // Re-export barrels and type declarations have nothing to mutate.
    '!src/**/index.ts',
    '!src/wrap/types.ts',
  ],
  // One worker per core of the 2-core dev/CI machines: more only adds timeouts.
  concurrency: 2,
  coverageAnalysis: 'perTest',
  reporters: ['html', 'clear-text', 'json', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  tempDirName: '.stryker-tmp',
  // Keep the sandbox copy small: none of these are read by the unit tests.
  ignorePatterns: ['dist', 'coverage', 'docs', 'bench/results', 'reports'],
};
