// Pickle-based files in the real workbench webview: a plain pickle of tensors (pickle.dump), a torch file
// with sparse and quantized tensors, and a legacy whole-module save, written by torch at test time. The
// files get checkpoint names (.pt/.pth) so Quick Open opens the inspector by default; the reader goes by
// content, and *.pkl/*.npz under "Open With…" are covered by test/integration/pickleFormats.test.ts.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { Workbench } from '../harness/workbench';
import { prepareWorkspace, type Workspace } from '../harness/workspace';
import { runPythonJson } from '../helpers/torch';

const PLAIN = 'plain-state.pt';
const SPARSE = 'sparse-quantized.pth';
const MODULE = 'whole-module.pth';

const WRITE = `
import inspect, os, pickle, sys, torch
ws = sys.argv[1]
torch.manual_seed(0)
with open(os.path.join(ws, ${JSON.stringify(PLAIN)}), 'wb') as f:
    pickle.dump({'encoder': {'weight': torch.randn(4, 3), 'bias': torch.zeros(4)}, 'epoch': 2}, f)
coo = torch.sparse_coo_tensor(torch.tensor([[0, 1], [1, 0]]), torch.tensor([1.0, 2.0]), (2, 2))
q = torch.quantize_per_tensor(torch.tensor([0.5, 1.0]), 0.5, 1, torch.qint8)
torch.save({'coo': coo, 'q': q}, os.path.join(ws, ${JSON.stringify(SPARSE)}))
torch.save(torch.nn.Linear(2, 2), os.path.join(ws, ${JSON.stringify(MODULE)}), _use_new_zipfile_serialization=False)
`;

describe('pickle-based files in the checkpoint editor (real workbench)', () => {
  let ws: Workspace | undefined;
  let wb: Workbench;
  let view: FrameLocator;
  let linearSource: string;

  async function open(name: string): Promise<void> {
    await wb.quickOpen(name);
    await wb.waitForActiveTab(name);
    view = wb.webview();
    await view.locator('[data-testid=tensor-row], [data-testid=error-view]').first().waitFor({ state: 'visible', timeout: 30_000 });
  }

  before(async () => {
    ws = await prepareWorkspace({ torchScript: WRITE });
    linearSource = await runPythonJson<string>('import inspect, json, torch; print(json.dumps(inspect.getsource(torch.nn.Linear)))');
    wb = await Workbench.start({ workspace: ws.dir });
  });
  after(async () => {
    await wb?.close();
    await ws?.cleanup();
  });

  it('a plain pickle is listed with its format, tensors and verdict', async () => {
    await open(PLAIN);
    assert.equal(await view.locator('[data-testid=format]').textContent(), 'plain pickle (pickle.dump)');
    const names = await view.locator('[data-testid=tensor-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')));
    assert.deepEqual(names, ['encoder.weight', 'encoder.bias']);
    assert.equal(await view.locator('[data-testid=safety-banner]').getAttribute('data-verdict'), 'not-weights-only');
    await wb.screenshot('plain-pickle');
  });

  it('sparse and quantized tensors are one row each naming the layout; a sparse row says statistics are not available', async () => {
    await open(SPARSE);
    const dtype = (name: string) => view.locator(`[data-testid=tensor-row][data-name="${name}"] [data-testid=row-dtype]`).textContent();
    assert.equal(await dtype('coo'), 'float32 · sparse_coo, nnz=2, indices int64 [2, 2]');
    assert.equal(await dtype('q'), 'qint8 · per-tensor affine, scale=0.5, zero_point=1');
    assert.equal(await view.locator('[data-testid=tensor-row]').count(), 2);
    const row = view.locator('[data-testid=tensor-row][data-name="coo"]');
    await row.click();
    await row.locator('[data-testid=open-stats]').click();
    const unavailable = view.locator('[data-testid=stats-unavailable]');
    await unavailable.waitFor({ state: 'visible' });
    assert.match((await unavailable.textContent()) ?? '', /not available for sparse tensors/);
  });

  it('a legacy whole-module save opens and shows the module source torch saved', async () => {
    await open(MODULE);
    const section = view.locator('[data-testid=module-source]');
    await section.locator('summary').click();
    assert.match((await section.locator('summary').textContent()) ?? '', /torch\.nn\.modules\.linear\.Linear/);
    assert.equal(await section.locator('pre').textContent(), linearSource);
  });
});
