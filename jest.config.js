/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  // jose is ESM-only; let swc turn it into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  globalSetup: '<rootDir>/test/support/globalSetup.js',
  globalTeardown: '<rootDir>/test/support/globalTeardown.js',
  setupFiles: ['<rootDir>/test/support/setup.ts'],
  testTimeout: 30000,
  // Integration suites share one Azurite per file; keep parallelism modest on 2-core machines.
  maxWorkers: 2,
};
