import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/**
 * A folder with an `index.ts` is a module, and other folders use it only through that index. Found on disk, so a
 * new module (another chat channel, another emulator) is covered without editing this file. tests/ is left out:
 * it is a leaf that may reach into anything it tests.
 */
function moduleFolders(dir = '.') {
  const entries = readdirSync(dir, { withFileTypes: true });
  const here = entries.some((e) => e.isFile() && e.name === 'index.ts') ? [dir.split('/').at(-1)] : [];
  return [
    ...here,
    ...entries
      .filter(
        (e) =>
          e.isDirectory() && !e.name.startsWith('.') && !['node_modules', 'tests', 'dist'].includes(e.name),
      )
      .flatMap((e) => moduleFolders(`${dir}/${e.name}`)),
  ];
}
const modules = [...new Set(moduleFolders())].sort();

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.esbuild/', '.serverless/', 'coverage/', 'docs/assets/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'off',
    },
  },
  {
    // Every arrow points down: product code (emulators, local, bench included) never depends on the tests.
    ignores: ['tests/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '(^|/)tests/', message: 'Nothing outside tests/ imports from tests/.' },
            {
              regex: `(^|/)(${modules.join('|')})/(?!index\\.ts$)[^/]+\\.ts$`,
              message: 'Import a module through its index.ts; export what you need from there.',
            },
          ],
        },
      ],
    },
  },
);
