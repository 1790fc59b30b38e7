import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import layers from './eslint/layers.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // the core never prints: output goes through hosts and the CLI edge
      'no-console': ['error'],
    },
  },
  {
    // a name a user typed may be `__proto__`, `constructor` or `toString`: never look it up through a
    // plain object's prototype (`in`, obj[name]) — use own() from src/core/text.ts, Object.hasOwn or a Map
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "BinaryExpression[operator='in'][left.type!='Literal']", message: 'a dynamic key may be a prototype name: use own() (src/core/text.ts), Object.hasOwn or a Map' },
        { selector: "MemberExpression[computed=true][object.type='CallExpression'][object.callee.name='catalog']", message: 'look kinds up with findInjector(), which checks own properties' },
        { selector: "MemberExpression[computed=true][property.type='Identifier'][object.property.name=/^(environments|envs)$/]", message: 'look environments up with own() or getEnvironment()' },
      ],
    },
  },
  {
    // each folder of src/ imports only the folders below it, and nothing imports itself back (src/README.md)
    files: ['src/**/*.ts'],
    plugins: { layers },
    rules: { 'layers/allowed-imports': 'error', 'layers/no-cycle': 'error' },
  },
  {
    // the drill's lifecycle, the runner and the CLI stay readable: a step that needs more is two steps
    files: ['src/drill/**/*.ts', 'src/runner/**/*.ts', 'src/cli/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }] },
  },
  { files: ['bench/**', 'scripts/**', 'test/**'], rules: { 'no-console': 'off' } },
  {
    // the launcher is CommonJS (bin/package.json): no ES module loader before the light CLI
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { __dirname: 'readonly', require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
