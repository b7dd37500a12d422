// Bundles every test file it finds (never a hand-kept list) plus the harness entry points.
// Output goes to out/test/ (or $TEST_OUT_DIR):
//   test/unit/**/*.test.ts         -> out/test/unit/**/*.test.js     (node:test, run by `node --test`; Node alone)
//   test/oracle/**/*.test.ts       -> out/test/oracle/**/*.test.js   (node:test; needs real torch, see test/run.mjs)
//   test/integration/**/*.test.ts  -> out/test/integration/index.js  (ONE mocha bundle exporting run(),
//                                      loaded by the real extension host: code-server here, Electron on a desktop)
//   test/ui/**/*.test.ts           -> out/test/ui/**/*.test.js       (node:test files driving playwright)
//   test/harness/bin/*.ts          -> out/test/harness/bin/*.js      (CLIs used by test/run.mjs and scripts/start.mjs)
// Usage: node scripts/build-tests.mjs [unit|oracle|integration|ui|harness ...] [--filter SUBSTRING ...]
// With --filter only matching test files are built (handy while writing one test).
import * as esbuild from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFiles, projectRoot as root } from './testFiles.mjs';
// TEST_OUT_DIR lets test/run.mjs build into a folder of its own, so parallel runs never delete each other's bundles.
const OUT = process.env.TEST_OUT_DIR ? resolve(process.env.TEST_OUT_DIR) : join(root, 'out', 'test');
const KINDS = ['unit', 'oracle', 'integration', 'ui', 'harness'];

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'es2022',
  sourcemap: 'inline',
  logLevel: 'warning',
  absWorkingDir: root,
};

/**
 * Builds `files` into `outdir` (one bundle each). A file that does not compile must still count as a failed
 * test, never vanish: it gets a bundle that fails with the compile error when node --test runs it.
 */
async function buildEach(files, outbase, outdir, extra = {}) {
  rmSync(outdir, { recursive: true, force: true });
  if (files.length === 0) return [];
  const options = { ...common, outbase, outdir, ...extra };
  try {
    await esbuild.build({ ...options, entryPoints: files, logLevel: 'silent' });
    return [];
  } catch {
    const broken = [];
    const good = [];
    for (const f of files) {
      const error = await compileError({ ...options, entryPoints: [f], write: false });
      if (error) broken.push({ file: f, error });
      else good.push(f);
    }
    if (good.length) await esbuild.build({ ...options, entryPoints: good });
    for (const { file, error } of broken) {
      const out = join(outdir, relative(outbase, file).replace(/\.ts$/, '.js'));
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, `require('node:test').test(${JSON.stringify(`${file} compiles`)}, () => { throw new Error(${JSON.stringify(error)}); });\n`);
      console.error(`build-tests: ${file} does not compile (counted as a failing test):\n${error}`);
    }
    return broken;
  }
}

/** The first compile error of a build, as one readable string, or undefined when it builds. */
async function compileError(options) {
  try {
    await esbuild.build({ ...options, logLevel: 'silent' });
    return undefined;
  } catch (err) {
    const errors = err.errors ?? [];
    if (!errors.length) return String(err.message ?? err);
    return errors.map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text)).join('\n');
  }
}

const buildUnit = (files) => buildEach(files, 'test/unit', join(OUT, 'unit'));
const buildOracle = (files) => buildEach(files, 'test/oracle', join(OUT, 'oracle'));
// playwright-core stays in node_modules: it resolves its own assets at run time.
const buildUi = (files) => buildEach(files, 'test/ui', join(OUT, 'ui'), { packages: 'external' });

function buildHarness() {
  const entries = findFiles('test/harness/bin', '.ts');
  rmSync(join(OUT, 'harness'), { recursive: true, force: true });
  return esbuild.build({ ...common, entryPoints: entries, outbase: 'test/harness', outdir: join(OUT, 'harness'), packages: 'external' });
}

/**
 * The integration entry is generated: it requires each test file inside run(), after mocha has installed
 * describe/it, so that a file that throws while loading makes run() reject instead of silently adding 0 tests.
 * A file that does not compile is replaced by a loader that throws its compile error, with the same effect.
 */
async function buildIntegration(files) {
  rmSync(join(OUT, 'integration'), { recursive: true, force: true });
  const options = {
    ...common,
    outfile: join(OUT, 'integration', 'index.js'),
    external: ['vscode'],
    // mocha's parallel mode (never used here) resolves worker files next to itself.
    logOverride: { 'require-resolve-not-external': 'silent' },
  };
  const entry = (broken) => {
    const modules = files
      .map((f) => {
        const error = broken.get(f);
        const load = error === undefined ? `require(${JSON.stringify('./' + f)})` : `{ throw new Error(${JSON.stringify(`does not compile: ${error}`)}); }`;
        return `    { file: ${JSON.stringify(f)}, load: () => ${load} },`;
      })
      .join('\n');
    const contents = [
      "import { runMochaSuites } from './test/harness/mochaRunner';",
      'export function run(): Promise<void> {',
      '  return runMochaSuites([',
      modules,
      '  ]);',
      '}',
      '',
    ].join('\n');
    return { ...options, stdin: { contents, resolveDir: root, sourcefile: 'integration-entry.ts', loader: 'ts' } };
  };
  const broken = new Map();
  if (await compileError(entry(broken))) {
    for (const f of files) {
      const error = await compileError({ ...options, entryPoints: [f], outfile: undefined, outdir: join(OUT, 'integration', 'check'), write: false });
      if (error) broken.set(f, error);
    }
    for (const [file, error] of broken) console.error(`build-tests: ${file} does not compile (run() will reject):\n${error}`);
  }
  await esbuild.build(entry(broken));
  return [...broken.keys()];
}

function parseArgs(argv) {
  const kinds = [];
  const filters = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--filter') filters.push(argv[++i] ?? '');
    else if (KINDS.includes(argv[i])) kinds.push(argv[i]);
    else throw new Error(`build-tests: unknown argument "${argv[i]}" (expected ${KINDS.join('|')} or --filter TEXT)`);
  }
  return { kinds: kinds.length ? kinds : KINDS, filters };
}

export async function buildTests(argv = []) {
  const { kinds, filters } = parseArgs(argv);
  const pick = (files) => (filters.length ? files.filter((f) => filters.some((s) => f.includes(s))) : files);
  const found = {
    unit: pick(findFiles('test/unit', '.test.ts')),
    oracle: pick(findFiles('test/oracle', '.test.ts')),
    integration: pick(findFiles('test/integration', '.test.ts')),
    ui: pick(findFiles('test/ui', '.test.ts')),
  };
  const jobs = [];
  if (kinds.includes('unit')) jobs.push(buildUnit(found.unit));
  if (kinds.includes('oracle')) jobs.push(buildOracle(found.oracle));
  if (kinds.includes('integration')) jobs.push(buildIntegration(found.integration));
  if (kinds.includes('ui')) jobs.push(buildUi(found.ui));
  if (kinds.includes('harness')) jobs.push(buildHarness());
  await Promise.all(jobs);
  for (const k of ['unit', 'oracle', 'integration', 'ui']) {
    if (kinds.includes(k)) console.log(`build-tests: ${k}: ${found[k].length} file(s)`);
  }
  return found;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  await buildTests(process.argv.slice(2));
  console.log(`build-tests: done in ${((Date.now() - started) / 1000).toFixed(1)} s (${relative(process.cwd(), OUT) || '.'})`);
}
