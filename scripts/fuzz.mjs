// `npm run fuzz -- --seed S --cases N [--from K]`: bundles test/hostile/fuzz.ts and runs it (see that file).
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot as root } from './testFiles.mjs';

const outfile = join(root, 'out', 'fuzz', 'fuzz.js');
await esbuild.build({
  entryPoints: [join(root, 'test', 'hostile', 'fuzz.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'es2022',
  sourcemap: 'inline',
  outfile,
  logLevel: 'warning',
});
const run = spawnSync(process.execPath, ['--enable-source-maps', outfile, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exitCode = run.status ?? 1;
