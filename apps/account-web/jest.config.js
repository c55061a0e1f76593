module.exports = { displayName: 'account-web', preset: '../../jest.preset.js', rootDir: __dirname, testMatch: ['<rootDir>/src/**/*.spec.ts'] };
