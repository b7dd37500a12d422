// Key hovers as a person sees them: a torch-written SSAST checkpoint and a train.py in the workspace,
// the mouse over the key in the editor, the hover widget read back; the status bar item opens the picker.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixturesDir } from '../harness/paths';
import { Workbench } from '../harness/workbench';
import { prepareWorkspace, type Workspace } from '../harness/workspace';
import { writeSsastSample, type TorchTensorFacts } from '../helpers/ssastSample';

const QKV = 'module.v.blocks.0.attn.qkv.weight';
const TRAIN_PY = ['import torch', '', 'sd = torch.load("ssast-tiny.pth")', `w = sd["${QKV}"]`, 'opt = {"learning_rate": 1e-4}', ''].join('\n');

describe('key hovers in the workbench', () => {
  let workspace: Workspace | undefined;
  let wb: Workbench;
  let facts: Record<string, TorchTensorFacts>;

  before(async () => {
    workspace = await prepareWorkspace({ files: { 'train.py': TRAIN_PY } });
    facts = await writeSsastSample(fixturesDir(), join(workspace.dir, 'ssast-tiny.pth'));
    wb = await Workbench.start({ workspace: workspace.dir });
  });

  after(async () => {
    await wb?.close();
    await workspace?.cleanup();
  });

  /** Moves the mouse over `text` in the active editor and returns the hover widget's text ('' if none). */
  async function hoverOver(text: string): Promise<string> {
    await wb.page.mouse.move(0, 0); // close a hover left open by the previous step
    const target = wb.page.locator('.monaco-editor .view-lines span', { hasText: text }).last();
    await target.hover();
    const widget = wb.page.locator('.monaco-hover:visible .monaco-hover-content, .monaco-hover:visible .hover-contents').first();
    try {
      await widget.waitFor({ state: 'visible', timeout: 5_000 });
    } catch {
      return '';
    }
    return (await widget.innerText()).trim();
  }

  it('shows the indexed checkpoint count in the status bar', async () => {
    const item = wb.page.locator('.statusbar-item', { hasText: /1 checkpoint\b/ });
    await item.waitFor({ state: 'visible', timeout: 60_000 });
  });

  it('hovering the key in train.py shows dtype, shape and the query/key/value targets', async () => {
    await wb.quickOpen('train.py');
    await wb.waitForActiveTab('train.py');
    const qkv = facts[QKV] as TorchTensorFacts;
    const shown = await hoverOver(QKV);
    await wb.screenshot('hover-qkv-key');
    for (const expected of [qkv.dtype, qkv.shapeText, 'query.weight', 'key.weight', 'value.weight', 'Open in Checkpoint Inspector']) {
      assert.ok(shown.includes(expected), `${expected} not in the hover:\n${shown}`);
    }
  });

  it('the hover link opens the checkpoint in the Checkpoint Inspector', async () => {
    await hoverOver(QKV);
    await wb.page.locator('.monaco-hover:visible a', { hasText: 'Open in Checkpoint Inspector' }).click();
    await wb.waitForActiveTab('ssast-tiny.pth');
    const frame = await wb.webviewFrame();
    await frame.locator('body').waitFor({ state: 'visible' });
    await wb.screenshot('hover-open-in-inspector');
    await wb.quickOpen('train.py');
    await wb.waitForActiveTab('train.py');
  });

  it('hovering an unrelated string shows no checkpoint hover', async () => {
    const shown = await hoverOver('learning_rate');
    assert.ok(!shown.includes('Checkpoint Inspector'), `unexpected hover:\n${shown}`);
  });

  it('the status bar item opens the checkpoint picker', async () => {
    await wb.page.locator('.statusbar-item', { hasText: /1 checkpoint\b/ }).click();
    const input = await wb.quickInput();
    assert.match(input.placeholder, /answer first/);
    assert.ok((await wb.quickInputItems()).some((i) => i.includes('ssast-tiny.pth')));
    await wb.pressEscape();
  });
});
