'use strict';
// ESLint (flat config) for every JavaScript file of the repository: `make lint` runs it. Generated
// output (pkg/, dist/, target/) is not ours to lint.
const js = require('@eslint/js');
const globals = require('globals');

module.exports = [
  { ignores: ['pkg/**', 'dist/**', 'target/**', 'node_modules/**', 'fuzz/**'] },
  js.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'commonjs',
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      strict: ['error', 'global'],
      eqeqeq: ['error', 'always'],
      'no-var': 'error',
      'prefer-const': 'error',
      'no-unused-vars': ['error', { args: 'after-used', caughtErrors: 'none' }],
      'no-shadow': 'error',
      'no-param-reassign': 'off',
    },
  },
];
