// Key hovers as a person sees them: a torch-written SSAST checkpoint and a train.py in the workspace,
// the mouse over the key in the editor, the hover widget read back; the status bar item opens the picker.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixturesDir } from '../harness/paths';
import { Workbench } from '../harness/workbench';
import { prepareWorkspace, type Workspace } from '../harness/workspace';
import { writeSsastSample, type TorchTensorFacts } from '../helpers/ssastSample';

const QKV = 'module.v.blocks.0.attn.qkv.weight';
/** train.py names QKV and `last`, the checkpoint's last key: its row is below the fold of the table. */
function trainPy(last: string): string {
  return ['import torch', '', 'sd = torch.load("ssast-tiny.pth")', `w = sd["${QKV}"]`, `b = sd["${last}"]`, 'opt = {"learning_rate": 1e-4}', ''].join('\n');
}

/** What the inspector's webview shows about the row of `name`, once it is selected. */
interface RowState {
  readonly selected: number;
  readonly ariaSelected: string | null;
  readonly inView: boolean;
  readonly tableFocused: boolean;
}

describe('key hovers in the workbench', () => {
  let workspace: Workspace | undefined;
  let wb: Workbench;
  let facts: Record<string, TorchTensorFacts>;
  let last: string;

  before(async () => {
    workspace = await prepareWorkspace();
    facts = await writeSsastSample(fixturesDir(), join(workspace.dir, 'ssast-tiny.pth'));
    last = Object.keys(facts).at(-1) as string;
    writeFileSync(join(workspace.dir, 'train.py'), trainPy(last));
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

  /** Clicks the hover's link on `key` in train.py and waits until the inspector selected that row. */
  async function openFromHover(key: string): Promise<RowState> {
    await wb.quickOpen('train.py');
    await wb.waitForActiveTab('train.py');
    await hoverOver(key);
    await wb.page.locator('.monaco-hover:visible a', { hasText: 'Open in Checkpoint Inspector' }).click();
    await wb.waitForActiveTab('ssast-tiny.pth');
    const frame = await wb.webviewFrame();
    const row = frame.locator(`[data-testid="tensor-row"][data-name="${key}"]`);
    await row.and(frame.locator('.selected[aria-selected="true"]')).waitFor({ state: 'visible', timeout: 15_000 });
    return frame.evaluate((name): RowState => {
      const table = document.querySelector('[data-testid="tensor-table"]') as HTMLElement;
      const el = table.querySelector(`[data-testid="tensor-row"][data-name="${CSS.escape(name)}"]`) as HTMLElement;
      const head = table.querySelector('.table-head') as HTMLElement;
      const box = table.getBoundingClientRect();
      const rect = el.getBoundingClientRect();
      return {
        selected: table.querySelectorAll('.row.selected').length,
        ariaSelected: el.getAttribute('aria-selected'),
        inView: rect.top >= box.top + head.offsetHeight - 1 && rect.bottom <= box.bottom + 1,
        tableFocused: document.activeElement === table,
      };
    }, key);
  }

  function inspectorTabs(): Promise<number> {
    return wb.page.locator('.part.editor .tabs-container .tab', { hasText: 'ssast-tiny.pth' }).count();
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
    // The hover widget fades in; let the animation finish so the screenshot is legible.
    await wb.page.waitForTimeout(400);
    await wb.screenshot('hover-qkv-key');
    for (const expected of [qkv.dtype, qkv.shapeText, 'query.weight', 'key.weight', 'value.weight', 'Open in Checkpoint Inspector']) {
      assert.ok(shown.includes(expected), `${expected} not in the hover:\n${shown}`);
    }
  });

  it('the hover link opens the checkpoint in the Checkpoint Inspector with the row of the key selected', async () => {
    const state = await openFromHover(QKV);
    await wb.screenshot('hover-open-in-inspector');
    assert.deepEqual(state, { selected: 1, ariaSelected: 'true', inView: true, tableFocused: true });
    assert.equal(await inspectorTabs(), 1);
  });

  it('the hover link of another key reuses the open inspector tab and shows that row, though filtered out and grouped', async () => {
    // The user narrowed the open table to the qkv rows, grouped by module (layers start collapsed).
    const view = wb.webview();
    await view.locator('[data-testid=filter] input').fill('attn.qkv');
    await view.locator('[data-testid=group-modules]').click();
    await view.locator(`[data-testid="tensor-row"][data-name="${last}"]`).waitFor({ state: 'detached' });
    const state = await openFromHover(last);
    assert.equal(await view.locator('[data-testid=filter] input').inputValue(), '', 'the filter that hid the row is cleared');
    await wb.screenshot('hover-reveal-in-open-inspector');
    assert.deepEqual(state, { selected: 1, ariaSelected: 'true', inView: true, tableFocused: true });
    assert.equal(await inspectorTabs(), 1, 'one tab of ssast-tiny.pth');
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
