// Hostile and malformed files in the real workbench, one after the other in the same window: payload
// files (make_hostile.py) show the DANGEROUS banner naming the global (a raw payload pickle too, listed as
// a plain pickle), broken files show their one-line error, legal-but-nasty structures list, and the valid sample opened last
// still shows its tensor table: the extension host survived them all. Nothing ran (sentinels).
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { fixturesDir, projectRoot } from '../harness/paths';
import { Workbench } from '../harness/workbench';
import { prepareWorkspace, type Workspace } from '../harness/workspace';
import { malformedFiles } from '../hostile/malformedFiles';

const SAMPLE = 'ssast-tiny-sample.pth';
/** Payload files copied from the corpus (the raw pickle gets a .pt name so the checkpoint editor opens it). */
const PAYLOADS = [
  { from: 'os-system-global-p2-zip.pth', to: 'payload-os-system.pth', global: 'os.system' },
  { from: 'timeit-timeit-stackglobal-p4-legacy.pth', to: 'payload-timeit.pth', global: 'timeit.timeit' },
  { from: 'ctypes-cdll-system-inst-p0-zip.pth', to: 'payload-ctypes.pth', global: 'ctypes.CDLL' },
];
const RAW = { from: 'cprofile-run-stackglobal-p5-raw.pkl', to: 'payload-cprofile-raw.pt', global: 'cProfile.run' };
/** From make_scanner_attacks.py: os.system runs, then data.pkl breaks; the error view must lead with the verdict. */
const ERROR_AFTER = { from: 'error-after-global-zip.pth', to: 'payload-error-after-global.pth', global: 'os.system' };

const copyPayloads = (scripts: { script: string; files: [string, string][] }[]) => `
import os, runpy, shutil, sys, tempfile
ws = sys.argv[1]
for script, files in ${JSON.stringify(scripts.map((s) => [s.script, s.files]))}:
    with tempfile.TemporaryDirectory() as tmp:
        sys.argv = [script, tmp]
        runpy.run_path(sys.argv[0], run_name='__main__')
        for src, dst in files:
            shutil.copy(os.path.join(tmp, src), os.path.join(ws, dst))
`;

describe('hostile files in the checkpoint editor (real workbench)', () => {
  let ws: Workspace | undefined;
  let wb: Workbench;
  let view: FrameLocator;
  const malformed = malformedFiles(new Uint8Array(readFileSync(join(fixturesDir(), SAMPLE)))).filter((m) => m.name.endsWith('.pth'));

  before(async () => {
    ws = await prepareWorkspace({
      fixtures: [SAMPLE],
      files: Object.fromEntries(malformed.map((m) => [`malformed/${m.name}`, m.bytes])),
      torchScript: copyPayloads([
        { script: join(projectRoot(), 'test', 'hostile', 'make_hostile.py'), files: [...PAYLOADS, RAW].map((p) => [p.from, p.to]) },
        { script: join(projectRoot(), 'test', 'hostile', 'make_scanner_attacks.py'), files: [[ERROR_AFTER.from, ERROR_AFTER.to]] },
      ]),
    });
    wb = await Workbench.start({ workspace: ws.dir });
    view = wb.webview();
  });
  after(async () => {
    await wb?.close();
    await ws?.cleanup();
  });

  async function open(name: string): Promise<void> {
    await wb.quickOpen(name);
    await wb.waitForActiveTab(name);
    view = wb.webview();
    // The header, not a row: a raw payload pickle is listed with no tensors at all.
    await view.locator('[data-testid=header], [data-testid=error-view]').first().waitFor({ state: 'visible', timeout: 30_000 });
  }

  it('payload files show the DANGEROUS banner naming their global', async () => {
    for (const p of PAYLOADS) {
      await open(p.to);
      const banner = view.locator('[data-testid=safety-banner]');
      assert.equal(await banner.getAttribute('data-verdict'), 'dangerous', p.to);
      assert.match((await banner.textContent()) ?? '', new RegExp(p.global.replace(/\./g, '\\.')));
    }
    await wb.screenshot('hostile-payload-banner');
  });

  it('a raw payload pickle is listed as a plain pickle with the DANGEROUS banner naming the global', async () => {
    await open(RAW.to);
    const banner = view.locator('[data-testid=safety-banner]');
    assert.equal(await banner.getAttribute('data-verdict'), 'dangerous');
    assert.match((await banner.textContent()) ?? '', /cProfile\.run/);
    assert.equal(await view.locator('[data-testid=format]').textContent(), 'plain pickle (pickle.dump)');
  });

  it('a pickle that breaks after its payload shows the DANGEROUS banner above its error', async () => {
    await open(ERROR_AFTER.to);
    const errorView = view.locator('[data-testid=error-view]');
    const banner = errorView.locator('[data-testid=safety-banner]');
    assert.equal(await banner.getAttribute('data-verdict'), 'dangerous');
    assert.match((await banner.textContent()) ?? '', /before the error below.*os\.system/s);
    // The banner comes first: above the message.
    const [bannerBox, messageBox] = await Promise.all([banner.boundingBox(), errorView.locator('[data-testid=error-message]').boundingBox()]);
    assert.ok(bannerBox && messageBox && bannerBox.y < messageBox.y, 'banner above the error');
    assert.match((await view.locator('[data-testid=error-message]').textContent()) ?? '', /bad pickle: unknown opcode 0xff/);
    await wb.screenshot('hostile-error-after-global');
  });

  it('each malformed file shows its one-line error, or lists when it is legal', async () => {
    for (const m of malformed) {
      await open(m.name);
      if (m.expect === 'lists') {
        await view.locator('[data-testid=tensor-row]').first().waitFor({ state: 'visible' });
      } else {
        const message = (await view.locator('[data-testid=error-message]').textContent()) ?? '';
        assert.ok(message.includes(m.expect) && message.includes(m.name) && !message.includes('\n'), `${m.name}: ${message}`);
      }
    }
    await wb.screenshot('hostile-malformed-error');
  });

  it('the valid sample opened afterwards still shows its tensors, and nothing ran', async () => {
    await open(SAMPLE);
    await view.locator('[data-testid=tensor-row][data-name="module.v.pos_embed"]').waitFor({ state: 'visible' });
    assert.equal(await view.locator('[data-testid=safety-banner]').getAttribute('data-verdict'), 'safe');
    assert.deepEqual(readdirSync(ws!.dir).filter((n) => n.endsWith('.ran')), []);
    assert.equal(existsSync(join(ws!.dir, 'pwned')), false);
  });
});
