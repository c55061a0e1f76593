module.exports = { displayName: 'stack', preset: '../../jest.preset.js', rootDir: __dirname, testMatch: ['<rootDir>/src/**/*.spec.ts'] };
