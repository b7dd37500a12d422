// Runs the integration test files with mocha (BDD: describe/it) INSIDE the extension host.
// The generated entry (scripts/build-tests.mjs) passes one loader per test file; loading happens here,
// after describe/it exist, so a file that throws while loading rejects run() instead of counting 0 tests.
// Progress goes to the console and, when AST_TEST_RESULTS names a file, as JSON lines to that file: the
// outer runner (code-server or Electron) tails it, so counts never depend on how a host forwards logs.
import Mocha from 'mocha';
import { appendFileSync } from 'node:fs';

export interface TestModule {
  file: string;
  load: () => unknown;
}

export type ResultEvent =
  | { event: 'pass'; title: string; ms: number }
  | { event: 'fail'; title: string; message: string }
  | { event: 'pending'; title: string }
  | { event: 'load-error'; file: string; message: string }
  | { event: 'end'; passed: number; failed: number; pending: number };

const resultsFile = process.env.AST_TEST_RESULTS;

function record(e: ResultEvent, line: string): void {
  console.log(line);
  if (resultsFile) appendFileSync(resultsFile, JSON.stringify(e) + '\n');
}

/** A mocha reporter that records one line per test and a final summary. */
class ResultReporter {
  constructor(runner: Mocha.Runner) {
    const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } = Mocha.Runner.constants;
    let passed = 0;
    let failed = 0;
    let pending = 0;
    runner.on(EVENT_TEST_PASS, (t: Mocha.Test) => {
      passed++;
      record({ event: 'pass', title: t.fullTitle(), ms: t.duration ?? 0 }, `  ✓ ${t.fullTitle()} (${t.duration ?? 0} ms)`);
    });
    runner.on(EVENT_TEST_FAIL, (t: Mocha.Test, err: Error) => {
      failed++;
      const message = err?.stack ?? String(err);
      record({ event: 'fail', title: t.fullTitle(), message }, `  ✗ ${t.fullTitle()}\n${indent(message)}`);
    });
    runner.on(EVENT_TEST_PENDING, (t: Mocha.Test) => {
      pending++;
      record({ event: 'pending', title: t.fullTitle() }, `  - ${t.fullTitle()} (skipped: not counted as passed)`);
    });
    runner.once(EVENT_RUN_END, () => {
      record({ event: 'end', passed, failed, pending }, `integration: ${passed} passing, ${failed} failing, ${pending} skipped`);
    });
  }
}

function indent(text: string): string {
  return text.split('\n').map((l) => '      ' + l).join('\n');
}

export async function runMochaSuites(modules: readonly TestModule[]): Promise<void> {
  // Stack traces point into the .ts test files (the bundle carries inline source maps).
  process.setSourceMapsEnabled(true);
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    timeout: Number(process.env.MOCHA_TIMEOUT ?? 60_000),
    reporter: ResultReporter as unknown as Mocha.ReporterConstructor,
  });
  const loadErrors: string[] = [];
  for (const m of modules) {
    mocha.suite.emit('pre-require', globalThis, m.file, mocha);
    try {
      const exports = m.load();
      mocha.suite.emit('require', exports, m.file, mocha);
      mocha.suite.emit('post-require', globalThis, m.file, mocha);
    } catch (err) {
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      loadErrors.push(`${m.file}: ${message.split('\n')[0]}`);
      record({ event: 'load-error', file: m.file, message }, `✗ failed to load ${m.file}\n${indent(message)}`);
    }
  }
  if (loadErrors.length > 0) {
    throw new Error(`integration: ${loadErrors.length} test file(s) failed to load: ${loadErrors.join('; ')}`);
  }
  if (mocha.suite.total() === 0) {
    record({ event: 'load-error', file: '(none)', message: 'no tests found' }, '✗ integration: no tests found');
    throw new Error('integration: no tests found in test/integration/**/*.test.ts');
  }
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`integration: ${failures} test(s) failed`);
}
