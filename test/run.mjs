// `npm test`: everything from a fresh clone to one line `N passed, N failed`.
//   1. npm dependencies (npm ci when node_modules lacks any declared package)
//   2. what the chosen suites need (test/prerequisites.mjs): Debian packages only for oracle/integration/ui
//      (apt-get when root on Debian; otherwise the line is printed), torch for oracle, Chromium for ui. A suite
//      whose prerequisite is missing is not run and counts as failed, its summary line naming what it needs.
//   3. build the extension and every test bundle (scripts/build.mjs, scripts/build-tests.mjs)
//   4. code-server into .vscode-test/code-server (only for integration/ui)
//   5. unit (node --test, Node alone), oracle (node --test, real torch), integration (mocha inside the real extension host), ui (node --test + playwright)
// Usage: node test/run.mjs [unit] [oracle] [integration] [ui] [--filter TEXT ...]   (no suite names = all four)
// A suite that fails, times out, runs 0 tests or lacks a prerequisite counts as failed; the exit code is non-zero on any failure.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFiles } from '../scripts/testFiles.mjs';
import { missingPrerequisites } from './prerequisites.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SUITES = ['unit', 'oracle', 'integration', 'ui'];
const minutes = (name, fallback) => Number(process.env[name] ?? fallback) * 60_000;
// Bounds per suite, generous for a loaded 2-core machine; together they stay under CI's 25 minutes.
const TIMEOUTS = { unit: minutes('UNIT_TIMEOUT_MIN', 8), oracle: minutes('ORACLE_TIMEOUT_MIN', 8), integration: minutes('INTEGRATION_TIMEOUT_MIN', 6), ui: minutes('UI_TIMEOUT_MIN', 10) };

// Bundles of this run live in a folder of their own (removed at the end): several people or CI jobs may
// run tests in the same checkout at once, and a shared out/test would be rebuilt under their feet.
const OUT = process.env.TEST_OUT_DIR ? resolve(process.env.TEST_OUT_DIR) : join(root, 'out', `test-run-${process.pid}`);
process.env.TEST_OUT_DIR = OUT;
const outFile = (rel) => join(OUT, rel);

const started = Date.now();
let interrupted = false;
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const elapsed = (since = started) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const say = (line) => console.log(`[test] ${line}`);

function parseArgs(argv) {
  const suites = [];
  const filters = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--filter') filters.push(argv[++i] ?? '');
    else if (SUITES.includes(argv[i])) suites.push(argv[i]);
    else {
      console.error(`test/run.mjs: unknown argument "${argv[i]}" (expected ${SUITES.join('|')} or --filter TEXT)`);
      process.exit(2);
    }
  }
  return { suites: suites.length ? suites : SUITES, filters };
}

/** Runs a command to completion, inheriting stdio; throws with its exit code on failure. */
function runOrThrow(cmd, args, env = process.env) {
  const t = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  say(`${cmd} ${args.join(' ')}: ${elapsed(t)}`);
}

function ensureNpmDependencies() {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const declared = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies });
  const missing = declared.filter((name) => !existsSync(join(root, 'node_modules', name, 'package.json')));
  if (missing.length === 0) return;
  say(`npm dependencies missing (${missing.join(', ')}): installing`);
  runOrThrow('npm', existsSync(join(root, 'package-lock.json')) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund']);
}

/**
 * Runs one suite in its own process group, streaming its output, killed when it exceeds `timeoutMs`.
 * Resolves with its exit code and whether it timed out.
 */
function runSuite(cmd, args, timeoutMs) {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      process.stdout.write(chunk);
    });
    let timedOut = false;
    const killGroup = (signal) => {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    // SIGTERM first: the harness in the child stops its code-server and browser on it.
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), 10_000).unref();
    }, timeoutMs);
    // The suite runs detached (its own group, so a timeout can end all of it): pass on our end to it.
    const onSignal = () => {
      interrupted = true;
      killGroup('SIGTERM');
    };
    for (const signal of STOP_SIGNALS) process.once(signal, onSignal);
    child.on('close', (code) => {
      clearTimeout(timer);
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
      resolvePromise({ code: code ?? 1, timedOut, stdout });
    });
  });
}

/** The last `# name N` line of a TAP stream. */
function tapCount(tap, name) {
  const all = [...tap.matchAll(new RegExp(`^# ${name} (\\d+)$`, 'gm'))];
  return all.length ? Number(all[all.length - 1][1]) : 0;
}

/** Passed/failed tests in a TAP stream without its summary: `ok`/`not ok` lines, minus suites and skips. */
function countTapResults(tap) {
  const lines = tap.split('\n');
  let passed = 0;
  let failed = 0;
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*(not )?ok \d+ - .*?(# (SKIP|TODO)\b.*)?$/.exec(lines[i]);
    if (!m || m[2]) continue;
    let isSuite = false;
    for (let j = i + 1; j < lines.length && /^\s*(---|\.\.\.|[\w]+:|')/.test(lines[j]); j++) {
      if (/^\s*type: 'suite'/.test(lines[j])) isSuite = true;
      if (/^\s*\.\.\.$/.test(lines[j])) break;
    }
    if (isSuite) continue;
    if (m[1]) failed++;
    else passed++;
  }
  return { passed, failed };
}

async function runNodeTests(suite, files, extraArgs) {
  if (files.length === 0) return { passed: 0, failed: 0, note: 'no test files found' };
  const dir = mkdtempSync(join(tmpdir(), `ast-${suite}-`));
  const tapFile = join(dir, 'results.tap');
  try {
    const args = ['--enable-source-maps', '--test', ...extraArgs, '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tapFile}`, ...files];
    const r = await runSuite(process.execPath, args, TIMEOUTS[suite]);
    const tap = existsSync(tapFile) ? readFileSync(tapFile, 'utf8') : '';
    // A suite killed by its time limit never writes the summary: count the results it did report.
    const counts = /^# pass \d+$/m.test(tap) ? undefined : countTapResults(tap);
    const passed = counts ? counts.passed : tapCount(tap, 'pass');
    let failed = counts ? counts.failed : tapCount(tap, 'fail') + tapCount(tap, 'cancelled');
    const skipped = counts ? 0 : tapCount(tap, 'skipped') + tapCount(tap, 'todo');
    let note = skipped ? `${skipped} skipped/todo (not counted as passed)` : '';
    if (r.timedOut) {
      failed++;
      note = `timed out after ${TIMEOUTS[suite] / 60_000} min`;
    } else if (r.code !== 0 && failed === 0) {
      failed++;
      note = `node --test exited with ${r.code} without a failing test`;
    }
    return { passed, failed, note };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runIntegrationSuite() {
  const r = await runSuite(process.execPath, ['--enable-source-maps', outFile('harness/bin/integration.js')], TIMEOUTS.integration);
  const all = [...r.stdout.matchAll(/^integration: (\d+) passed, (\d+) failed/gm)];
  const last = all[all.length - 1];
  const passed = last ? Number(last[1]) : 0;
  let failed = last ? Number(last[2]) : 0;
  let note = '';
  if (r.timedOut) {
    failed++;
    note = `timed out after ${TIMEOUTS.integration / 60_000} min`;
  } else if (r.code !== 0 && failed === 0) {
    failed++;
    note = `runner exited with ${r.code} without a failing test`;
  }
  return { passed, failed, note };
}

const pick = (files, filters) => (filters.length ? files.filter((f) => filters.some((s) => f.includes(s))) : files);

async function main() {
  const { suites, filters } = parseArgs(process.argv.slice(2));
  ensureNpmDependencies();
  const missing = missingPrerequisites(suites, { say, install: runOrThrow });
  runOrThrow(process.execPath, ['scripts/build.mjs']);
  runOrThrow(process.execPath, ['scripts/build-tests.mjs', ...filters.flatMap((f) => ['--filter', f])]);
  if (suites.some((s) => (s === 'integration' || s === 'ui') && !missing.has(s))) runOrThrow(process.execPath, [outFile('harness/bin/ensureCodeServer.js')]);

  const results = [];
  for (const suite of suites) {
    if (interrupted) break;
    const t = Date.now();
    if (missing.has(suite)) {
      results.push({ suite, passed: 0, failed: 1, note: `not run — needs ${missing.get(suite)}`, time: elapsed(t) });
      continue;
    }
    say(`── ${suite} ──`);
    let r;
    if (suite === 'unit' || suite === 'oracle') {
      const files = pick(findFiles(`test/${suite}`, '.test.ts'), filters).map((f) => outFile(f.replace(/^test\//, '').replace(/\.ts$/, '.js')));
      r = await runNodeTests(suite, files, []);
    } else if (suite === 'integration') {
      r = await runIntegrationSuite();
    } else {
      // One workbench at a time: each UI file starts its own code-server and Chromium.
      const files = pick(findFiles('test/ui', '.test.ts'), filters).map((f) => outFile(f.replace(/^test\//, '').replace(/\.ts$/, '.js')));
      r = await runNodeTests('ui', files, ['--test-concurrency=1']);
    }
    if (r.passed + r.failed === 0) {
      r.failed = 1;
      r.note = r.note || 'ran 0 tests';
    }
    results.push({ suite, ...r, time: elapsed(t) });
  }

  console.log('');
  for (const r of results) say(`${r.suite.padEnd(11)} ${r.passed} passed, ${r.failed} failed  (${r.time})${r.note ? `  ${r.note}` : ''}`);
  say(`total time ${elapsed()}`);
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = interrupted ? 130 : failed > 0 ? 1 : 0;
}

main()
  .catch((err) => {
    console.error(`test/run.mjs: ${err.message}`);
    console.log('0 passed, 1 failed');
    process.exitCode = 1;
  })
  .finally(() => {
    if (!process.env.KEEP_TEST_OUT) rmSync(OUT, { recursive: true, force: true });
  });
