module.exports = {
  displayName: 'system-e2e',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.e2e-spec.ts'],
  testTimeout: 60_000,
  // Each spec file starts a whole stack (five processes); one file at a time keeps a 2-core machine honest.
  maxWorkers: 1,
};
