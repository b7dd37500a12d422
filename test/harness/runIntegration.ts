// Runs the integration bundle (out/test/integration/index.js) inside the real extension host of code-server,
// in Debian's Chromium: the same run() module @vscode/test-electron loads on a desktop.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from './browser';
import { sleep, startCodeServer } from './codeServer';
import type { ResultEvent } from './mochaRunner';
import { outDir, projectRoot } from './paths';
import { prepareWorkspace } from './workspace';

export interface SuiteCounts {
  passed: number;
  failed: number;
  skipped: number;
}

export interface IntegrationOptions {
  timeoutMs?: number;
  log?: (line: string) => void;
}

export const INTEGRATION_BUNDLE = (): string => join(outDir(), 'integration', 'index.js');

export async function runIntegration(opts: IntegrationOptions = {}): Promise<SuiteCounts> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const timeoutMs = opts.timeoutMs ?? Number(process.env.INTEGRATION_TIMEOUT_MS ?? 300_000);
  const bundle = INTEGRATION_BUNDLE();
  if (!existsSync(bundle)) throw new Error(`integration: ${bundle} is missing; run node scripts/build-tests.mjs first`);

  const workspace = await prepareWorkspace({ fixtures: 'all' });
  const resultsDir = mkdtempSync(join(tmpdir(), 'ast-results-'));
  const resultsFile = join(resultsDir, 'results.jsonl');
  const started = Date.now();
  const server = await startCodeServer({ workspace: workspace.dir, env: { AST_TEST_RESULTS: resultsFile } });
  log(`integration: code-server ${server.url} (pid ${server.pid}) ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const { browser, close } = await launchChromium();
  const counts: SuiteCounts = { passed: 0, failed: 0, skipped: 0 };
  let sawEnd = false;
  let loadErrors = 0;
  let consumed = 0;
  const drain = (): void => {
    if (!existsSync(resultsFile)) return;
    const text = readFileSync(resultsFile, 'utf8');
    const complete = text.slice(consumed, text.lastIndexOf('\n') + 1);
    consumed += complete.length;
    for (const line of complete.split('\n').filter(Boolean)) {
      const e = JSON.parse(line) as ResultEvent;
      if (e.event === 'pass') log(`  ✓ ${e.title} (${e.ms} ms)`);
      else if (e.event === 'fail') log(`  ✗ ${e.title}\n${e.message.replace(/^/gm, '      ')}`);
      else if (e.event === 'pending') log(`  - ${e.title} (skipped, not counted as passed)`);
      else if (e.event === 'load-error') {
        loadErrors++;
        log(`  ✗ failed to load ${e.file}\n${e.message.replace(/^/gm, '      ')}`);
      } else {
        sawEnd = true;
        Object.assign(counts, { passed: e.passed, failed: e.failed, skipped: e.pending });
      }
    }
  };
  try {
    const page = await browser.newPage();
    let exitCode: number | undefined;
    await page.exposeFunction('codeAutomationExit', (code: number) => {
      exitCode = code;
    });
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      if (process.env.HARNESS_VERBOSE) log(`  [host ${type}] ${args.map(String).join(' ')}`);
    });
    await page.goto(server.workbenchUrl({ extensionDevelopmentPath: projectRoot(), extensionTestsPath: bundle }));
    const deadline = Date.now() + timeoutMs;
    while (exitCode === undefined && Date.now() < deadline) {
      drain();
      await sleep(250);
    }
    await sleep(200);
    drain();
    if (exitCode === undefined) {
      counts.failed++;
      log(`  ✗ integration: the extension host did not finish within ${timeoutMs / 1000} s`);
      log(readFileSync(server.logFile, 'utf8').slice(-2000));
    } else if (loadErrors > 0) {
      counts.failed += loadErrors;
    } else if (!sawEnd) {
      counts.failed++;
      log(`  ✗ integration: the extension host exited with code ${exitCode} before reporting results`);
      log(readFileSync(server.logFile, 'utf8').slice(-2000));
    } else if (exitCode !== 0 && counts.failed === 0) {
      counts.failed++;
      log(`  ✗ integration: run() rejected (exit code ${exitCode}) although no test failed`);
    }
    log(`integration: ${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return counts;
  } finally {
    await close();
    await server.stop();
    await workspace.cleanup();
    rmSync(resultsDir, { recursive: true, force: true });
  }
}
