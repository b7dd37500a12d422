// One build for every target: the extension host bundle, its reading worker, the webview bundle and the CLI.
// Usage: node scripts/build.mjs [--watch] [--production]
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
  target: 'es2022',
};

const targets = [
  {
    ...common,
    entryPoints: { extension: 'src/extension/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
  },
  // The reading worker, a worker thread of the extension host (src/extension/reader/readingWorker.ts).
  {
    ...common,
    entryPoints: { worker: 'src/worker/main.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
  },
  {
    ...common,
    entryPoints: { webview: 'webview/main.ts' },
    outdir: 'dist',
    platform: 'browser',
    format: 'iife',
  },
  {
    ...common,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    banner: { js: '#!/usr/bin/env node' },
  },
  // One bundle per CLI command, loaded by dist/cli.js at run time (src/cli/commandBundle.ts): a command
  // parses only its own code. Each is self-contained; the code they share is in both.
  {
    ...common,
    entryPoints: { 'cli-inspect': 'src/cli/inspect.ts', 'cli-convert': 'src/cli/convert.ts', 'cli-diff': 'src/cli/diff.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    // They run as vm.Script (to use a code cache), where import() has no loader: lazy loads of Node
    // builtins (node:crypto only when hashing) must become require calls.
    supported: { 'dynamic-import': false },
  },
];

if (watch) {
  const contexts = await Promise.all(targets.map((t) => esbuild.context(t)));
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
}
