module.exports = { displayName: 'device-registry', preset: '../../jest.preset.js', rootDir: __dirname, testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.int-spec.ts'] };
