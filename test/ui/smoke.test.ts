// Smoke tests of the harness itself, through the real workbench: Quick Open a checkpoint written by torch
// and see it in our custom editor; run "Convert to HF AST" from the command palette.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Workbench } from '../harness/workbench';
import { prepareWorkspace, type Workspace } from '../harness/workspace';

const SAMPLE = 'ssast-tiny-sample.pth';

describe('workbench smoke', () => {
  let workspace: Workspace | undefined;
  let wb: Workbench;

  before(async () => {
    workspace = await prepareWorkspace({ fixtures: [SAMPLE] });
    wb = await Workbench.start({ workspace: workspace.dir });
  });

  after(async () => {
    await wb?.close();
    await workspace?.cleanup();
  });

  it('Quick Open shows a .pth checkpoint in the Checkpoint Inspector custom editor', async () => {
    await wb.quickOpen(SAMPLE);
    await wb.waitForActiveTab(SAMPLE);
    // A custom editor renders in a webview; VS Code's own binary-file placeholder would not.
    // It lists the tensors torch wrote (the fixture's positional embedding among them).
    await wb.webview().getByText('module.v.pos_embed', { exact: true }).first().waitFor({ state: 'visible' });
    await wb.screenshot('smoke-quick-open-checkpoint');
    assert.ok((await wb.activeTabTitle()).includes(SAMPLE));
  });

  it('runs "Convert to HF AST" from the command palette', async () => {
    await wb.quickOpen(SAMPLE);
    await wb.waitForActiveTab(SAMPLE);
    await wb.runCommand('Convert to HF AST');
    // The command answers with its first prompt, titled after itself, about the active checkpoint.
    const prompt = await wb.quickInput('Convert to HF AST');
    await wb.screenshot('smoke-convert-command');
    const notifications = await wb.notifications();
    assert.ok(!notifications.some((n) => /command .* not found/i.test(n)), `the command failed to run: ${notifications.join(' | ')}`);
    assert.match(prompt.title, /Convert to HF AST/);
    assert.match(prompt.placeholder, new RegExp(SAMPLE.replace(/\./g, '\\.')));
    await wb.pressEscape();
  });
});
