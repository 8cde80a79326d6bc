// Lint rules for the whole workspace. The pure core (schema, redact, trajectory) runs in
// browsers, the desktop agent and the server alike, so it may not touch Node or the DOM.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeModules = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const pure = ['packages/schema/**/*.ts', 'packages/redact/**/*.ts', 'packages/trajectory/**/*.ts'];
// Tests, recorded fixtures, corpus and schema generators of the pure packages run in Node only:
// they may read and write files or drive a browser; what they test may not.
const pureButNode = ['packages/*/src/**/*.test.ts', 'packages/*/fixtures/**', 'packages/*/corpus/**', 'packages/*/schema/generate.ts'];

// Globals that only exist in a browser or in Node. The pure packages may use neither.
const forbiddenGlobals = [
  ...new Set([...Object.keys(globals.browser), ...Object.keys(globals.node)].filter((g) => !(g in globals.es2021))),
]
  .filter((g) => !['console', 'queueMicrotask', 'structuredClone', 'TextEncoder', 'TextDecoder', 'URL', 'URLSearchParams', 'AbortController', 'AbortSignal', 'atob', 'btoa'].includes(g))
  .map((name) => ({ name, message: 'The pure core may not use browser or Node globals (see DESIGN.md).' }));

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'bench/results/**', '**/dist/**', 'samples/**/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: pure,
    ignores: pureButNode,
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeModules.map((name) => ({ name, message: 'The pure core may not import Node modules (see DESIGN.md).' })),
          patterns: [
            { group: ['node:*'], message: 'The pure core may not import Node modules (see DESIGN.md).' },
            { group: ['@lockstep/server', '@lockstep/cli', '@lockstep/capture-web', '@lockstep/agent', '@lockstep/console'], message: 'The pure core may not depend on a runtime package.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', ...forbiddenGlobals],
    },
  },
);
