import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const pureRestrictions = {
  patterns: [
    { group: ['typeorm', 'type-graphql', 'graphql', '@apollo/*', '@tensorflow/*', 'pg', 'node-cron', 'prom-client'],
      message: 'src/quality and src/sampling are pure: typed arrays in, plain results out.' },
    { group: ['**/db/*', '**/schema/*', '**/ml/*', '**/jobs/*', '**/services/*', '**/metrics/*'],
      message: 'src/quality and src/sampling import nothing from the service layers.' },
  ],
};

/** The layers, each importing only those below it (see docs/architecture.md). */
const layerRestrictions = (message, ...groups) => ['error', { patterns: [{ group: groups, message }] }];

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
  {
    files: ['src/services/**/*.ts'],
    rules: { 'no-restricted-imports': layerRestrictions('services never import jobs, the schema or the HTTP edge.', '**/jobs/*', '**/schema/*', '**/http/*', '**/app', '**/core', '**/server') },
  },
  {
    files: ['src/jobs/**/*.ts'],
    rules: { 'no-restricted-imports': layerRestrictions('jobs are built from the services they use, never from the container.', '**/services/services', '**/schema/*', '**/http/*', '**/app', '**/core') },
  },
  {
    files: ['src/db/**/*.ts'],
    rules: {
      'no-restricted-imports': layerRestrictions(
        'src/db (repositories included) imports nothing above the database layer.',
        '**/services/*', '**/jobs/*', '**/schema/*', '**/http/*', '**/quality/*', '**/sampling/*', '**/ml/*', '**/metrics/*', '**/errors', '**/app', '**/core',
      ),
    },
  },
  {
    // No import cycle in src/, type-only imports included: a cycle means two modules that cannot be understood apart.
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts'],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
);
