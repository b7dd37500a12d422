// CLI behind `npm run test:desktop`: the SAME integration bundle (out/test/integration/index.js), run by
// @vscode/test-electron in a downloaded desktop VS Code (needs internet and a display; xvfb-run on Linux CI).
// VSCODE_VERSION picks the VS Code build (default: stable).
import { runTests } from '@vscode/test-electron';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultEvent } from '../mochaRunner';
import { projectRoot } from '../paths';
import { INTEGRATION_BUNDLE } from '../runIntegration';
import { prepareWorkspace } from '../workspace';

async function main(): Promise<number> {
  const workspace = await prepareWorkspace({ fixtures: 'all' });
  const resultsDir = mkdtempSync(join(tmpdir(), 'ast-results-'));
  const resultsFile = join(resultsDir, 'results.jsonl');
  try {
    let exitCode = 0;
    try {
      exitCode = await runTests({
        version: process.env.VSCODE_VERSION ?? 'stable',
        extensionDevelopmentPath: projectRoot(),
        extensionTestsPath: INTEGRATION_BUNDLE(),
        extensionTestsEnv: { AST_TEST_RESULTS: resultsFile },
        launchArgs: [workspace.dir, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome'],
      });
    } catch (err) {
      console.error(err instanceof Error ? err.message : String(err));
      exitCode = 1;
    }
    let end: Extract<ResultEvent, { event: 'end' }> | undefined;
    try {
      for (const line of readFileSync(resultsFile, 'utf8').split('\n').filter(Boolean)) {
        const e = JSON.parse(line) as ResultEvent;
        if (e.event === 'end') end = e;
      }
    } catch {
      // no results: the host never ran the suite
    }
    const passed = end?.passed ?? 0;
    const failed = end ? end.failed : 1;
    console.log(`integration: ${passed} passed, ${Math.max(failed, exitCode === 0 ? 0 : 1)} failed`);
    return exitCode === 0 && failed === 0 && passed > 0 ? 0 : 1;
  } finally {
    await workspace.cleanup();
    rmSync(resultsDir, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code));
