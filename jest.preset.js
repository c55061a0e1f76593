// Shared Jest settings for every project. SWC transforms (fast, keeps decorator metadata for
// Nest DI); type-checking happens once in `npm run typecheck` (tsc), not per test file.
const path = require('node:path');
const { pathsToModuleNameMapper } = require('./tools/jest/paths');

module.exports = {
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  // jose 6 ships ESM only; Jest on Node 20 needs it transformed to CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!(jose)/)'],
  moduleNameMapper: pathsToModuleNameMapper(),
  cacheDirectory: path.join(__dirname, 'tmp/jest-cache'),
  testTimeout: 30_000,
  passWithNoTests: true,
};
