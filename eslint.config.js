// Lint rules that guard the architecture (../shared/DESIGN.md "Boundaries that keep it honest"):
// no import cycles, and the emulator and the client's model adapters never import each other,
// so the emulator stays a second, independent reading of Bedrock's wire formats.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '**/*.d.ts', '.*-scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Build scripts run on Node.
  { files: ['scripts/**/*.mjs'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './src/emulator',
              from: ['./src/models', './src/client'],
              message: 'The emulator must stay an independent reading of the wire format: do not import client code.',
            },
            {
              target: ['./src/models', './src/client'],
              from: './src/emulator',
              message: 'Client code talks to Bedrock only through the AWS SDK: do not import the emulator.',
            },
          ],
        },
      ],
    },
  },
);
