// Jest in ESM mode (run through `node --experimental-vm-modules`): the
// CommonJS setup cannot load NestJS 12's ESM-only packages on Node 20.
//
// Two projects: `unit` (specs beside the code, run from source, no build
// needed; `npm run test:unit`) and `e2e` (test/, which starts the built apps
// from dist/; `npm run test:e2e` builds first).

/** What both projects share. */
const base = {
  testEnvironment: 'node',
  rootDir: '.',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    // tsconfig sets isolatedModules, so ts-jest only transpiles; `tsc --noEmit`
    // type-checks everything once in `npm test`.
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleNameMapper: {
    '^@app/phone-verification$': '<rootDir>/libs/phone-verification/src/index.ts',
    '^@app/phone-verification/testing$': '<rootDir>/libs/phone-verification/src/testing/index.ts',
    '^@app/phone-verification/sandbox$': '<rootDir>/libs/phone-verification/src/testing/sandbox/index.ts',
    '^@app/phone-verification/wire$': '<rootDir>/libs/phone-verification/src/acedata/index.ts',
    '^@app/phone-verification/errors$': '<rootDir>/libs/phone-verification/src/errors/index.ts',
    '^@app/phone-verification/validation$': '<rootDir>/libs/phone-verification/src/validation/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};

/** @type {import('jest').Config} */
export default {
  testTimeout: 20_000,
  // One empty embedded ledger for the whole run, copied by each test.
  globalSetup: '<rootDir>/test/support/jest-global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/jest-global-teardown.mjs',
  // Two test files at once, whatever the cores: the e2e files spend much of
  // their time waiting on child processes and servers. On CI's 2 cores the
  // whole suite took 9.5 min with two workers against 12.6 min with one
  // (jest's default there); more workers starve the apps the tests start.
  maxWorkers: 2,
  projects: [
    {
      ...base,
      displayName: 'unit',
      roots: ['<rootDir>/libs', '<rootDir>/apps'],
      testRegex: '.*\\.spec\\.ts$',
    },
    {
      ...base,
      displayName: 'e2e',
      roots: ['<rootDir>/test'],
      testRegex: '.*\\.e2e-spec\\.ts$',
    },
  ],
};
