module.exports = { displayName: 'geoip', preset: '../../jest.preset.js', rootDir: __dirname, testMatch: ['<rootDir>/src/**/*.spec.ts'] };
