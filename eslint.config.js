import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  {
    // The chat core is pure: no I/O, no timers, time only through the injected Clock
    // (docs/ARCHITECTURE.md, "Layers").
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            'node:*',
            'fs',
            'net',
            'tls',
            '../server/*',
            '../client/*',
            '../store/*',
            '../protocol/*',
          ],
        },
      ],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'setImmediate', 'process'],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now' }],
    },
  },
  {
    // The browser UI builds its DOM from text nodes only: user data never goes through an HTML
    // parser (docs/WEB.md, "Security").
    files: ['web/src/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { property: 'innerHTML', message: 'Build nodes with h() and textContent.' },
        { property: 'outerHTML', message: 'Build nodes with h() and textContent.' },
        { property: 'insertAdjacentHTML', message: 'Build nodes with h() and textContent.' },
        { object: 'document', property: 'write', message: 'Build nodes with h() and textContent.' },
        { property: 'createContextualFragment', message: 'Build nodes with h() and textContent.' },
      ],
      'no-restricted-globals': ['error', 'eval'],
      'no-implied-eval': 'error',
    },
  },
);
