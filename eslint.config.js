// Lint: the recommended JS + TypeScript rules, and the layering of ARCHITECTURE §1 enforced with
// no-restricted-imports — folders follow runtimes, so what each folder may import is fixed:
//   shared/        pure TypeScript: nothing from electron/ or renderer/, no Node, no runtime packages
//   electron/core  plain Node: never 'electron', never renderer/
//   renderer/      the browser: no Node, no 'electron', nothing of electron/, no ssh2/dockerode/ws
//   only electron/main and electron/preload may import 'electron'
import js from '@eslint/js';
import globals from 'globals';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';
import { defineConfig } from 'eslint/config';

const NODE_BUILTINS = builtinModules.filter((m) => !m.startsWith('_')).map((name) => ({ name, message: 'Node built-ins are not available here.' }));
const pkg = (name, message) => ({ name, message });
const ELECTRON = pkg('electron', "Only electron/main and electron/preload may import 'electron'.");
const NODE_ONLY_PACKAGES = ['ssh2', 'dockerode', 'ws'].map((name) => pkg(name, `${name} runs in Node only (electron/core, electron/web).`));
const NO_NODE_PROTOCOL = { regex: '^node:', message: 'Node built-ins are not available here.' };

const restrictImports = (paths, patterns = []) => ({ 'no-restricted-imports': ['error', { paths, patterns }] });

export default defineConfig(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', '.lab/**', 'e2e/artifacts/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // `{} extends T` is how the contract's types ask "does this input have required fields?"
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends', allowObjectTypes: 'always' }],
    },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  // Everything but electron/main and electron/preload: no 'electron'.
  {
    files: ['**/*.{ts,tsx,js,mjs,cjs}'],
    ignores: ['electron/main/**', 'electron/preload/**'],
    rules: restrictImports([ELECTRON]),
  },
  {
    files: ['shared/**'],
    rules: restrictImports(
      [ELECTRON, ...NODE_ONLY_PACKAGES, ...NODE_BUILTINS, pkg('react', 'shared/ is UI-free.'), pkg('react-dom', 'shared/ is UI-free.')],
      [
        NO_NODE_PROTOCOL,
        { regex: '(^|/)(electron|renderer)/', message: 'shared/ imports nothing from electron/ or renderer/.' },
        { regex: '^react(-dom)?/', message: 'shared/ is UI-free.' },
      ],
    ),
  },
  {
    files: ['electron/core/**'],
    rules: restrictImports([ELECTRON], [{ regex: '(^|/)renderer/', message: 'electron/core never imports the UI.' }]),
  },
  {
    files: ['renderer/**'],
    ignores: ['renderer/**/*.test.{ts,tsx}'],
    rules: restrictImports(
      [ELECTRON, ...NODE_ONLY_PACKAGES, ...NODE_BUILTINS, pkg('zod', 'The renderer carries no schema library (its cold start, bench/ui): the backend validates.')],
      [
        NO_NODE_PROTOCOL,
        { regex: '(^|/)electron/', message: 'The renderer reaches the backend only through renderer/api (the bridge).' },
        // The contract's schema files are types here; values come from its zod-free modules.
        { regex: 'shared/contract/(?!source-kinds|rpc-error|members|version)[^/]+\\.js$', allowTypeImports: true, message: 'Only types from the contract (values: source-kinds, rpc-error): its schemas would put zod in the bundle.' },
      ],
    ),
  },
);
