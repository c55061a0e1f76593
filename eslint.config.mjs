// Lint: the project boundaries of STYLE.md (apps never import apps, contracts import no
// framework, test helpers only from tests) and a strict TypeScript baseline.
import nx from '@nx/eslint-plugin';

const layers = ['type:contracts', 'type:data-access', 'type:util'];
const boundaries = (extra) => [
  'error',
  {
    enforceBuildableLibDependency: false,
    depConstraints: [
      { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts', ...extra], bannedExternalImports: ['@nestjs/*', 'typeorm', 'nats', 'ioredis', 'pg', 'express', 'ws'] },
      { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: [...layers, ...extra] },
      { sourceTag: 'type:util', onlyDependOnLibsWithTags: [...layers, ...extra] },
      { sourceTag: 'type:testing', onlyDependOnLibsWithTags: [...layers, 'type:testing'] },
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: [...layers, 'type:testing'] },
      { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: [...layers, 'type:testing'] },
    ],
  },
];

const noTestHelpers = { name: '@signoff/testing', message: 'test helpers are for spec files only' };

const testFiles = ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/testing/**/*.ts', 'apps/system-e2e/**/*.ts'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['node_modules/', 'tmp/', 'dist/', '**/jest.config.js', 'jest.preset.js', 'tools/jest/', 'tools/stack/parent-watchdog.js'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries([]),
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Production code never reaches for test helpers.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: testFiles,
    rules: {
      'no-restricted-imports': ['error', { paths: [noTestHelpers] }],
    },
  },
  {
    // Request and event contracts, and the gateway's bodies: optional means absent, not null
    // (docs/security.md, "Hostile input"). Settings classes read from the environment may use it.
    files: ['libs/contracts/src/**/*.ts', 'apps/playback-gateway/src/**/*.ts'],
    ignores: [...testFiles, 'apps/playback-gateway/src/config/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            noTestHelpers,
            { name: 'class-validator', importNames: ['IsOptional'], message: '@IsOptional() lets null through: use @OptionalField() from @signoff/contracts' },
          ],
        },
      ],
    },
  },
  {
    // Specs of any project may use the test helpers.
    files: testFiles,
    rules: {
      '@nx/enforce-module-boundaries': boundaries(['type:testing']),
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
];
