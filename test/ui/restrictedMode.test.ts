// Restricted Mode as a person meets it: workspace trust on, a downloaded folder not trusted. The extension stays
// on (package.json capabilities.untrustedWorkspaces: limited): a torch-written checkpoint opens in the inspector,
// key hovers answer, and "Convert to HF AST" explains that it writes files and needs trust, writing nothing.
// The extension is installed, not under development: VS Code would never disable a development extension, so
// only an installed one tests what the capability declares.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixturesDir } from '../harness/paths';
import { Workbench } from '../harness/workbench';
import { prepareWorkspace, type Workspace } from '../harness/workspace';
import { writeSsastSample, type TorchTensorFacts } from '../helpers/ssastSample';

const CHECKPOINT = 'ssast-tiny.pth';
const QKV = 'module.v.blocks.0.attn.qkv.weight';

describe('Restricted Mode (untrusted folder)', () => {
  let workspace: Workspace | undefined;
  let wb: Workbench;
  let facts: Record<string, TorchTensorFacts>;

  before(async () => {
    workspace = await prepareWorkspace();
    facts = await writeSsastSample(fixturesDir(), join(workspace.dir, CHECKPOINT));
    writeFileSync(join(workspace.dir, 'train.py'), ['import torch', '', `sd = torch.load("${CHECKPOINT}")`, `w = sd["${QKV}"]`, ''].join('\n'));
    wb = await Workbench.start({ workspace: workspace.dir, workspaceTrust: 'untrusted', installed: true });
  });

  after(async () => {
    await wb?.close();
    await workspace?.cleanup();
  });

  it('the folder opens in Restricted Mode (the trust prompt answered "No")', async () => {
    await wb.page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ state: 'visible' });
    assert.equal(await wb.page.getByRole('dialog').count(), 0, 'the trust prompt is answered');
  });

  it('a checkpoint opens in the Checkpoint Inspector', async () => {
    await wb.quickOpen(CHECKPOINT);
    await wb.waitForActiveTab(CHECKPOINT);
    await wb.webview().locator(`[data-testid="tensor-row"][data-name="${QKV}"]`).waitFor({ state: 'visible' });
    await wb.screenshot('restricted-mode-inspector');
  });

  it('hovering a key in train.py shows its dtype and shape', async () => {
    await wb.quickOpen('train.py');
    await wb.waitForActiveTab('train.py');
    await wb.page.locator('.monaco-editor .view-lines span', { hasText: QKV }).last().hover();
    const widget = wb.page.locator('.monaco-hover:visible .monaco-hover-content, .monaco-hover:visible .hover-contents').first();
    await widget.waitFor({ state: 'visible', timeout: 60_000 });
    const shown = (await widget.innerText()).trim();
    await wb.page.waitForTimeout(400); // the fade-in, for a legible screenshot
    await wb.screenshot('restricted-mode-hover');
    const qkv = facts[QKV]!;
    for (const expected of [qkv.dtype, qkv.shapeText, 'query.weight']) assert.ok(shown.includes(expected), `${expected} not in the hover:\n${shown}`);
    await wb.page.mouse.move(0, 0);
  });

  it('"Convert to HF AST" says it needs trust, offers the trust editor and writes nothing', async () => {
    const before = readdirSync(workspace!.dir).sort();
    await wb.quickOpen(CHECKPOINT);
    await wb.waitForActiveTab(CHECKPOINT);
    await wb.webview().locator(`[data-testid="tensor-row"][data-name="${QKV}"]`).waitFor({ state: 'visible' });
    await wb.runCommand('Convert to HF AST');
    const text = await wb.waitForNotification('needs a trusted workspace');
    await wb.page.waitForTimeout(400); // the toast slides in
    await wb.screenshot('restricted-mode-convert-needs-trust');
    assert.match(text, /^Convert to HF AST writes files, so it needs a trusted workspace\. This folder is in Restricted Mode: the Checkpoint Inspector and key hovers keep working, and nothing was written\.$/);
    assert.equal(await wb.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Convert to HF AST' }).count(), 0, 'no conversion prompt');
    assert.deepEqual(readdirSync(workspace!.dir).sort(), before);
    assert.ok(!existsSync(join(workspace!.dir, 'ssast-tiny-hf-ast')));

    await wb.page.locator('.notifications-toasts .notification-list-item', { hasText: 'needs a trusted workspace' }).getByRole('button', { name: 'Manage Workspace Trust' }).click();
    await wb.waitForActiveTab('Workspace Trust');
    await wb.screenshot('restricted-mode-trust-editor');
  });
});
