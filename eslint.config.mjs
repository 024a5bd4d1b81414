import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const pureRestrictions = {
  patterns: [
    { group: ['typeorm', 'type-graphql', 'graphql', '@apollo/*', '@tensorflow/*', 'pg', 'node-cron', 'prom-client'],
      message: 'src/quality and src/sampling are pure: typed arrays in, plain results out.' },
    { group: ['**/db/*', '**/schema/*', '**/ml/*', '**/jobs/*', '**/services/*', '**/metrics/*'],
      message: 'src/quality and src/sampling import nothing from the service layers.' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'dashboards/generated/**', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['src/quality/**/*.ts', 'src/sampling/**/*.ts'], rules: { 'no-restricted-imports': ['error', pureRestrictions] } },
);
