// Benchmark of the extension host's responsiveness in real VS Code (code-server + Chromium, driven like a
// person): the host's event-loop delay (monitorEventLoopDelay, via the AST_EVENT_LOOP_LOG probe of
// src/extension/bench/eventLoopProbe.ts) while opening a full-size SSAST-Base, running statistics on its
// largest tensor and opening a 100 000-tensor checkpoint; time to first rows beside the floor (our editor
// on an empty file, opened the same way: it shows the error view at once); and how long a key hover in a
// Python file takes while the 100 k file is opening, beside an idle hover. Not a test: run by hand.
//
//   node scripts/build.mjs --production
//   npx esbuild bench/responsive.ts --bundle --platform=node --format=cjs --packages=external --outfile=out/bench/responsive.js
//   CODE_SERVER_CACHE=… node out/bench/responsive.js [--extension DIR] [--label NAME]
//
// --extension: the extension folder to load (default: this checkout), e.g. a copy of an older commit with
// the probe added, for before/after numbers on the same machine in one sitting.
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startCodeServer } from '../test/harness/codeServer';
import { fixturesDir, projectRoot } from '../test/harness/paths';
import { Workbench } from '../test/harness/workbench';
import { prepareWorkspace } from '../test/harness/workspace';

const MANY = 'many-tensors.pth';
const BASE = 'ssast-base-pretrained.pth';
const FLOOR = 'empty.pth';
const HOVER_KEY = 'model.layers.0.experts.0.weight';
/** SSAST-Base's largest tensors are the MLP weights (3072 × 768); statistics run on the first. */
const LARGEST = 'module.v.blocks.0.mlp.fc1.weight';

const writeFiles = (fixtures: string) => `
import os, sys
sys.path.insert(0, ${JSON.stringify(fixtures)})
import make_fixtures
make_fixtures.write_many_tensors(os.path.join(sys.argv[1], ${JSON.stringify(MANY)}))
make_fixtures.write_ssast_base_pretrained(os.path.join(sys.argv[1], ${JSON.stringify(BASE)}))
`;

interface Window {
  readonly t: number;
  readonly maxMs: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { extension: { type: 'string' }, label: { type: 'string' } } });
  const extension = values.extension ?? projectRoot();
  const label = values.label ?? extension;
  const workspace = await prepareWorkspace({
    torchScript: writeFiles(fixturesDir()),
    files: { [FLOOR]: new Uint8Array(), 'train.py': `key = "${HOVER_KEY}"\n` },
  });
  const log = join(workspace.dir, '..', `event-loop-${process.pid}.jsonl`);
  const server = await startCodeServer({ workspace: workspace.dir, env: { AST_EVENT_LOOP_LOG: log } });
  const wb = await Workbench.attach(server, { workspace: workspace.dir, extensionDevelopmentPath: extension, timeoutMs: 180_000 }, true);
  const page = wb.page;
  /** Largest event-loop delay of the host between `from` and `to` (the windows overlapping it). */
  const maxStall = (from: number, to: number): number => {
    const windows = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Window) : [];
    const inside = windows.filter((w) => w.t >= from && w.t - 200 <= to);
    if (inside.length === 0) throw new Error(`no event-loop windows between ${from} and ${to}: is the probe in ${extension}?`);
    return Math.round(Math.max(...inside.map((w) => w.maxMs)));
  };
  const settle = async (): Promise<void> => {
    // The probe writes every 200 ms; give it the window after the step too.
    await page.waitForTimeout(400);
  };
  const hover = async (timeout = 30_000): Promise<number> => {
    await page.mouse.move(0, 0);
    await page.waitForTimeout(300);
    const target = page.locator('.monaco-editor .view-lines span', { hasText: HOVER_KEY }).last();
    const started = Date.now();
    await target.hover();
    await page.locator('.monaco-hover:visible .monaco-hover-content, .monaco-hover:visible .hover-contents').first().waitFor({ state: 'visible', timeout });
    return Date.now() - started;
  };
  const closeAll = async (): Promise<void> => {
    await wb.runCommand('View: Close All Editors');
    await page.waitForTimeout(1_000);
  };
  const results: Record<string, unknown> = { label, when: new Date().toISOString() };
  try {
    // Hovers: the first one may start indexing; the next ones (all indexed) are the idle baseline.
    await wb.quickOpen('train.py');
    await wb.waitForActiveTab('train.py');
    // Until every checkpoint is indexed (the key is in the 100 k file, indexed last or not first).
    const deadline = Date.now() + 240_000;
    for (;;) {
      if (await hover(5_000).then(() => true, () => false)) break;
      if (Date.now() > deadline) throw new Error('the key hover never answered');
    }
    await page.locator('.statusbar-item', { hasText: /to index/ }).waitFor({ state: 'hidden', timeout: 180_000 });
    const idle = [await hover(), await hover(), await hover()].sort((a, b) => a - b);
    results.idleHoverMs = idle[1];
    await closeAll();

    // The floor: our editor on an empty file shows its error view with no reading to speak of.
    let started = Date.now();
    await wb.quickOpen(FLOOR);
    await wb.webview().locator('[data-testid=error-view]').waitFor({ state: 'visible' });
    results.floorMs = Date.now() - started;
    await closeAll();

    started = Date.now();
    await wb.quickOpen(BASE);
    const base = wb.webview();
    await base.locator('[data-testid=tensor-row]').first().waitFor({ state: 'visible' });
    const baseRows = Date.now();
    await settle();
    results.base = { firstRowsMs: baseRows - started, maxStallMs: maxStall(started, baseRows) };

    await base.locator('[data-testid=filter] input').fill(LARGEST);
    const row = base.locator(`[data-testid=tensor-row][data-name="${LARGEST}"]`);
    await row.click();
    started = Date.now();
    await row.locator('[data-testid=open-stats]').click();
    await base.locator(`[data-testid=stats-panel][data-phase=done][data-tensor="${LARGEST}"]`).waitFor({ state: 'visible', timeout: 120_000 });
    const statsDone = Date.now();
    await settle();
    results.statistics = { tensor: LARGEST, ms: statsDone - started, maxStallMs: maxStall(started, statsDone) };
    await closeAll();

    // The 100 k file opens beside train.py; a hover in train.py is timed while it is being read.
    await wb.quickOpen('train.py');
    await wb.waitForActiveTab('train.py');
    await page.keyboard.press('Control+P');
    await page.keyboard.type(MANY);
    await page.waitForTimeout(500);
    started = Date.now();
    await page.keyboard.press('Control+Enter');
    const firstRows = wb.webview().locator('[data-testid=tensor-row]').first().waitFor({ state: 'visible', timeout: 180_000 }).then(() => Date.now());
    await page.waitForTimeout(300);
    const busyHoverMs = await hover();
    const manyRows = await firstRows;
    await settle();
    results.many = { firstRowsMs: manyRows - started, maxStallMs: maxStall(started, manyRows), hoverWhileOpeningMs: busyHoverMs };
  } finally {
    await wb.close();
    await workspace.cleanup();
  }
  console.log(JSON.stringify(results));
  writeFileSync(join(projectRoot(), 'out', `responsive-${label.replace(/\W+/g, '-')}.json`), JSON.stringify(results, null, 2) + '\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
