// Jest in ESM mode (run through `node --experimental-vm-modules`): the
// CommonJS setup cannot load NestJS 12's ESM-only packages on Node 20.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/test'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    // tsconfig sets isolatedModules, so ts-jest only transpiles; `tsc --noEmit`
    // type-checks everything once in `npm test`.
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleNameMapper: {
    '^@app/phone-verification$': '<rootDir>/libs/phone-verification/src/index.ts',
    '^@app/phone-verification/testing$': '<rootDir>/libs/phone-verification/src/testing/index.ts',
    '^@app/acedata-sandbox$': '<rootDir>/apps/acedata-sandbox/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 20_000,
};
