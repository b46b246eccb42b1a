/**
 * Tests are transpiled by ts-jest without type-checking (type-checking is `tsc`, its own
 * step of `npm test`). `jose`, `cookie` and `cockatiel` ship ES modules only, so they are transpiled too.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json', diagnostics: false }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(jose|cookie|cockatiel)/)'],
  testTimeout: 20000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
