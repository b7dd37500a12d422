// `npm run lint`: typescript-eslint's recommended rules on every TypeScript and script file, plus the
// layering of src/: core ← ast ← node / cli / extension / worker, protocol shared by all of them.
import tseslint from 'typescript-eslint';

/**
 * `no-restricted-imports` for the files of one layer: none of `layers` (folder names under src/), no
 * `vscode` unless `vscode` is allowed, no `node:` module unless `node` is allowed.
 */
function layer(files, layers, { node = false, vscode = false } = {}) {
  const patterns = [{ group: layers.flatMap((l) => [`**/${l}/**`, `../${l}`]), message: `${files} must not import from src/{${layers.join(',')}} (see the layering in eslint.config.mjs)` }];
  if (!node) patterns.push({ group: ['node:*'], message: `${files} runs anywhere: no Node modules (platform code goes in src/node)` });
  const paths = vscode ? [] : [{ name: 'vscode', message: `${files} must not import vscode` }];
  return { files: [files], rules: { 'no-restricted-imports': ['error', { paths, patterns }] } };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', '.vscode-test/', 'test-results/', '*.vsix'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },
  layer('src/core/**', ['ast', 'protocol', 'node', 'cli', 'extension', 'worker']),
  layer('src/ast/**', ['protocol', 'node', 'cli', 'extension', 'worker']),
  layer('src/protocol/**', ['node', 'cli', 'extension', 'worker']),
  layer('src/node/**', ['protocol', 'cli', 'extension', 'worker'], { node: true }),
  layer('src/worker/**', ['cli', 'extension'], { node: true }),
  layer('src/cli/**', ['protocol', 'extension', 'worker'], { node: true }),
  // The host reaches the worker only through src/protocol messages, never its code.
  layer('src/extension/**', ['cli', 'worker'], { node: true, vscode: true }),
);
