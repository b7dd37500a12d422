// "Convert to HF AST" through the real workbench (code-server in Chromium), as a user runs it: the
// command palette on a checkpoint open in our editor, the multi-step prompts, the progress
// notification, the replace dialog. Checkpoints are written by torch into the workspace; the result is
// compared with torch's own mapping and with what the CLI writes for the same answers.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { projectRoot, fixturesDir } from '../harness/paths';
import { Workbench } from '../harness/workbench';
import { prepareWorkspace, type Workspace } from '../harness/workspace';
import { compareWithTorch, safetensorsDigests } from '../integration/convertCheckpoints';

const LABELS = ['Speech', 'Music', 'Dog, barking', 'Siren', 'Silence'];

const WRITE_CHECKPOINTS = `
import os, sys
sys.path.insert(0, ${JSON.stringify(fixturesDir())})
import make_fixtures as m
ws = sys.argv[1]
m.write_ssast_tiny_sample(os.path.join(ws, 'ssast_pretrained.pth'))
m.write_ssast_finetuned(os.path.join(ws, 'ssast_finetuned.pth'), labels=${LABELS.length})
m.write_ssast_frame(os.path.join(ws, 'ssast_frame.pth'))
m.write_ssast_nokd(os.path.join(ws, 'ssast_nokd.pth'))
m.write_ssast_base_pretrained(os.path.join(ws, 'ssast_base.pth'))
`;

const STEP_TITLE = /Convert to HF AST \((\d+)\/(\d+)\)/;
const FOCUSED_ROW = '.quick-input-widget .quick-input-list .monaco-list-row.focused';

interface Prompt {
  readonly title: string;
  readonly placeholder: string;
  readonly value: string;
  readonly message: string;
  readonly step: number;
  readonly steps: number;
}

function runCli(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(projectRoot(), 'dist', 'cli.js'), ...args], (err, _stdout, stderr) => {
      if (err) reject(new Error(`cli ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve();
    });
  });
}

/** Waits for the next step of the prompts (a title other than `previous`) and reads it. */
async function nextPrompt(wb: Workbench, previous: string): Promise<Prompt> {
  const title = wb.page.locator('.quick-input-widget .quick-input-title');
  await wb.page.waitForFunction(
    ([prev]) => {
      const el = document.querySelector('.quick-input-widget .quick-input-title');
      const visible = el && (el as HTMLElement).offsetParent !== null;
      return visible && /Convert to HF AST \(\d+\/\d+\)/.test(el.textContent ?? '') && el.textContent !== prev;
    },
    [previous],
  ).catch(async (err: unknown) => {
    // Say what was on screen instead of only "timeout": the picture and the state name the stuck step.
    const picture = await wb.screenshot(`convert-no-next-prompt-${Date.now()}`);
    throw new Error(`no Convert to HF AST step after "${previous}": ${await wb.describeState()} (screenshot ${picture}; ${String(err)})`);
  });
  const q = await wb.quickInput();
  const m = STEP_TITLE.exec(q.title) ?? STEP_TITLE.exec((await title.textContent()) ?? '');
  assert.ok(m, `not a Convert to HF AST step: "${q.title}"`);
  return { ...q, step: Number(m[1]), steps: Number(m[2]) };
}

/**
 * Answers every step: `answer` returns the text to type for a step, or undefined to take the
 * pre-filled default with Enter. Returns the prompts seen, in order.
 */
async function answerAllSteps(wb: Workbench, answer: (p: Prompt) => Promise<string | undefined> | string | undefined = () => undefined): Promise<Prompt[]> {
  const seen: Prompt[] = [];
  let previous = '';
  for (;;) {
    const prompt = await nextPrompt(wb, previous);
    seen.push(prompt);
    const text = await answer(prompt);
    await wb.answerQuickInput(text);
    if (prompt.step === prompt.steps) return seen;
    previous = prompt.title;
  }
}

async function openAndConvert(wb: Workbench, checkpoint: string): Promise<void> {
  await wb.quickOpen(checkpoint);
  await wb.waitForActiveTab(checkpoint);
  // A webview still loading takes the keyboard focus away from the palette's F1: wait until it shows the view
  // (the reading worker sends it after the `loading` message, so the frame alone is not enough).
  const frame = await wb.webviewFrame();
  await frame.locator('[data-kind="checkpoint"], [data-kind="error"]').first().waitFor();
  await wb.runCommand('Convert to HF AST');
}

/** Starts a test with no toasts left from the one before, so that screenshots and waits see only its own. */
async function clearNotifications(wb: Workbench): Promise<void> {
  await wb.runCommand('Notifications: Clear All Notifications');
  await wb.page.locator('.notifications-toasts .notification-list-item').first().waitFor({ state: 'hidden' }).catch(() => undefined);
}

/** Waits for a toast, expands it when its text is cut, and lets it finish sliding in before a screenshot. */
async function settledToast(wb: Workbench, text: RegExp): Promise<string> {
  const message = await wb.waitForNotification(text);
  const toast = wb.page.locator('.notifications-toasts .notification-list-item', { hasText: text }).first();
  await toast.hover();
  const expand = toast.locator('.codicon-notifications-expand');
  if (await expand.count()) await expand.first().click();
  await wb.page.waitForTimeout(400);
  return message;
}

function hfFolders(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.includes('hf-ast'));
}

describe('Convert to HF AST in the workbench', { timeout: 600_000 }, () => {
  let workspace: Workspace | undefined;
  let wb: Workbench;
  let scratch: string;

  before(async () => {
    workspace = await prepareWorkspace({ torchScript: WRITE_CHECKPOINTS, files: { 'labels/audio_labels.csv': `index,mid,display_name\n${LABELS.map((l, i) => `${i},/m/${i},"${l}"`).join('\n')}\n` } });
    scratch = mkdtempSync(join(tmpdir(), 'convert-ui-cli-'));
    wb = await Workbench.start({ workspace: workspace.dir, timeoutMs: 60_000 });
  });

  after(async () => {
    await wb?.close();
    await workspace?.cleanup();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('palette → Enter through every prompt converts a pretrained SSAST like the CLI does', async () => {
    const dir = workspace!.dir;
    await openAndConvert(wb, 'ssast_pretrained.pth');
    const prompts = await answerAllSteps(wb, async (p) => {
      if (p.message.startsWith('Frequency stride')) await wb.screenshot('convert-step-frequency-stride');
      return undefined;
    });
    assert.ok(prompts.length >= 10, `only ${prompts.length} prompts`);
    assert.deepEqual(prompts.map((p) => p.step), prompts.map((_, i) => i + 1));
    const patch = prompts.find((p) => p.message.startsWith('Patch size'));
    assert.ok(patch?.message.includes('(from weights)'), `patch size prompt: ${patch?.message}`);
    assert.ok(prompts.some((p) => /8 × 64 = 512 patches/.test(p.message)), 'no step showed the grid');

    await settledToast(wb, /Converted to ssast_pretrained-hf-ast/);
    await wb.screenshot('convert-done-notification');
    const done = wb.page.locator('.notifications-toasts .notification-list-item', { hasText: 'Converted to ssast_pretrained-hf-ast' }).first();
    await done.locator('.monaco-button', { hasText: 'Open report' }).click();
    await wb.waitForActiveTab('Preview conversion-report.md');
    await wb.webview().locator('h1', { hasText: 'Conversion report' }).waitFor();
    await wb.screenshot('convert-report-preview');
    const outDir = join(dir, 'ssast_pretrained-hf-ast');
    for (const file of ['config.json', 'model.safetensors', 'preprocessor_config.json', 'conversion-report.md']) {
      assert.ok(existsSync(join(outDir, file)), `${file} missing`);
    }
    const cmp = await compareWithTorch(join(dir, 'ssast_pretrained.pth'), outDir);
    assert.deepEqual([cmp.missing, cmp.unexpected, cmp.shapeMismatch], [[], [], []]);
    assert.equal(cmp.maxAbsDiff, 0);

    const cliOut = join(scratch, 'pretrained-cli');
    await runCli(['convert', join(dir, 'ssast_pretrained.pth'), '--out', cliOut]);
    assert.deepEqual([...safetensorsDigests(join(outDir, 'model.safetensors'))].sort(), [...safetensorsDigests(join(cliOut, 'model.safetensors'))].sort());
  });

  it('a fine-tuned SSAST with stride 10 answers (and a step back) gives ASTForAudioClassification with the CSV\'s labels', async () => {
    const dir = workspace!.dir;
    await clearNotifications(wb);
    await openAndConvert(wb, 'ssast_finetuned.pth');
    let strideMessage = '';
    const prompts = await answerAllSteps(wb, async (p) => {
      if (p.step === 1) {
        const focused = (await wb.page.locator(FOCUSED_ROW).first().textContent()) ?? '';
        assert.ok(focused.includes('ASTForAudioClassification'), `preselected model: ${focused}`);
      }
      if (p.message.startsWith('Frequency stride')) {
        // An impossible answer is explained while typing, before anything runs.
        await wb.page.locator('.quick-input-widget .quick-input-box input').fill('32');
        await wb.page.locator('.quick-input-widget .quick-input-message', { hasText: 'larger than the patch size' }).waitFor();
        await wb.screenshot('convert-stride-validation');
        return '10';
      }
      if (p.message.startsWith('Time stride')) {
        // Back shows the previous step with its answer kept; Enter returns here.
        await wb.page.locator('.quick-input-widget .codicon-quick-input-back').first().click();
        const back = await nextPrompt(wb, p.title);
        assert.equal(back.step, p.step - 1);
        assert.equal(back.value, '10');
        await wb.pressEnter();
        assert.equal((await nextPrompt(wb, back.title)).title, p.title);
        await wb.page.locator('.quick-input-widget .quick-input-box input').fill('10');
        const message = wb.page.locator('.quick-input-widget .quick-input-message', { hasText: '12 × 101 = 1212 patches' });
        await message.waitFor();
        strideMessage = (await message.textContent()) ?? '';
        return '10';
      }
      if (p.placeholder.startsWith('Label names')) {
        await wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'audio_labels.csv' }).first().waitFor();
        await wb.screenshot('convert-labels-step');
        return 'audio_labels.csv';
      }
      return undefined;
    });
    assert.ok(prompts.some((p) => p.placeholder.startsWith('How was the head fine-tuned')), 'no pooling prompt');
    assert.match(strideMessage, /interpolated from 8 × 64/);

    await wb.waitForNotification(/Converted to ssast_finetuned-hf-ast/);
    const done = wb.page.locator('.notifications-toasts .notification-list-item', { hasText: 'Converted to ssast_finetuned-hf-ast' }).first();
    await done.locator('.monaco-button', { hasText: 'Reveal in Explorer' }).click();
    await wb.page.locator('.explorer-folders-view .monaco-list-row.selected', { hasText: 'ssast_finetuned-hf-ast' }).waitFor();
    const outDir = join(dir, 'ssast_finetuned-hf-ast');
    const cmp = await compareWithTorch(join(dir, 'ssast_finetuned.pth'), outDir);
    assert.deepEqual([cmp.missing, cmp.unexpected, cmp.shapeMismatch], [[], [], []]);
    assert.ok(cmp.maxAbsDiff < 1e-6, `differs from torch by ${cmp.maxAbsDiff}`);
    assert.deepEqual(cmp.config.architectures, ['ASTForAudioClassification']);
    const id2label = cmp.config.id2label as Record<string, string>;
    assert.deepEqual(LABELS.map((_, i) => id2label[String(i)]), LABELS);

    // The next run on this checkpoint starts from these answers.
    await wb.runCommand('Convert to HF AST');
    let remembered = await nextPrompt(wb, '');
    while (!remembered.message.startsWith('Frequency stride') && remembered.step < remembered.steps) {
      await wb.pressEnter();
      remembered = await nextPrompt(wb, remembered.title);
    }
    await wb.pressEscape();
    assert.equal(remembered.value, '10');
    assert.match(remembered.message, /\(your last answer\)/);
  });

  it('cancelling from the progress notification leaves no folder', async () => {
    const dir = workspace!.dir;
    await clearNotifications(wb);
    const before = hfFolders(dir);
    await openAndConvert(wb, 'ssast_base.pth');
    await answerAllSteps(wb);
    const toast = wb.page.locator('.notifications-toasts .notification-list-item', { hasText: 'Converting ssast_base.pth' }).first();
    await toast.waitFor({ state: 'visible' });
    await wb.screenshot('convert-progress');
    await toast.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await wb.waitForNotification(/cancelled/);
    assert.deepEqual(hfFolders(dir), before);
    assert.equal(existsSync(join(dir, 'ssast_base-hf-ast')), false);
  });

  it('converting onto an existing folder asks first, and only Replace replaces it', async () => {
    const outDir = join(workspace!.dir, 'ssast_pretrained-hf-ast');
    writeFileSync(join(outDir, 'marker.txt'), 'before');
    const dialog = wb.page.locator('.monaco-dialog-box');
    await clearNotifications(wb);

    await openAndConvert(wb, 'ssast_pretrained.pth');
    const prompts = await answerAllSteps(wb);
    assert.ok(prompts.some((p) => p.message.includes('you will be asked before it is replaced')), 'the folder step did not warn');
    await dialog.waitFor({ state: 'visible' });
    assert.match((await dialog.textContent()) ?? '', /already exists/);
    await wb.screenshot('convert-replace-dialog');
    await dialog.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(readFileSync(join(outDir, 'marker.txt'), 'utf8'), 'before');

    const modelBefore = statSync(join(outDir, 'model.safetensors')).mtimeMs;
    await wb.runCommand('Convert to HF AST');
    await answerAllSteps(wb);
    await dialog.waitFor({ state: 'visible' });
    await dialog.locator('.monaco-button', { hasText: 'Replace' }).click();
    await wb.page.locator('.notifications-toasts .notification-list-item-message', { hasText: 'Converted to ssast_pretrained-hf-ast' }).nth(0).waitFor();
    for (let i = 0; i < 50 && existsSync(join(outDir, 'marker.txt')); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(existsSync(join(outDir, 'marker.txt')), false);
    assert.ok(statSync(join(outDir, 'model.safetensors')).mtimeMs > modelBefore);
  });

  it('a frame model is refused with its reason in the UI and nothing is written', async () => {
    const dir = workspace!.dir;
    const before = hfFolders(dir);
    await clearNotifications(wb);
    await openAndConvert(wb, 'ssast_frame.pth');
    const text = await settledToast(wb, /Cannot convert ssast_frame\.pth/);
    await wb.screenshot('convert-frame-refused');
    assert.match(text, /frame model/);
    assert.match(text, /square patches/);
    assert.deepEqual(hfFolders(dir), before);
  });

  it('a nokd model converts only after the user chooses the documented adaptation', async () => {
    const dir = workspace!.dir;
    await clearNotifications(wb);
    const dialog = wb.page.locator('.monaco-dialog-box');
    await openAndConvert(wb, 'ssast_nokd.pth');
    await dialog.waitFor({ state: 'visible' });
    assert.match((await dialog.textContent()) ?? '', /no distillation token/);
    await wb.screenshot('convert-nokd-dialog');
    await dialog.locator('.monaco-button', { hasText: 'Convert with nokd adaptation' }).click();
    await answerAllSteps(wb);
    await settledToast(wb, /Converted to ssast_nokd-hf-ast .*warning/);
    assert.ok(existsSync(join(dir, 'ssast_nokd-hf-ast', 'model.safetensors')));
  });

  it('the explorer context menu and the editor title action start the prompts for their checkpoint; without one the palette asks with an open dialog', async () => {
    await wb.runCommand('View: Close All Editors');
    const row = wb.page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'ssast_finetuned.pth' }).first();
    const item = wb.page.locator('.monaco-menu .action-label', { hasText: 'Convert to HF AST' }).first();
    // Menu contributions appear once the extension host has registered the extension: retry until then.
    for (let attempt = 0; ; attempt++) {
      await row.click({ button: 'right' });
      if (await item.waitFor({ timeout: 3000 }).then(() => true, () => false)) break;
      assert.ok(attempt < 10, 'the explorer context menu never offered "Convert to HF AST"');
      await wb.pressEscape();
    }
    await wb.screenshot('convert-explorer-context-menu');
    await item.click();
    const fromMenu = await nextPrompt(wb, '');
    assert.match(fromMenu.placeholder, /ssast_finetuned\.pth/);
    await wb.pressEscape();

    // The editor's title-bar action converts the checkpoint shown.
    await wb.quickOpen('ssast_pretrained.pth');
    await wb.waitForActiveTab('ssast_pretrained.pth');
    await wb.page.locator('.editor-actions .action-label[aria-label*="Convert to HF AST"]').first().click();
    const fromTitle = await nextPrompt(wb, '');
    assert.match(fromTitle.placeholder, /ssast_pretrained\.pth/);
    await wb.pressEscape();

    // Palette with no checkpoint editor: in the browser the explorer selection cannot be read (the
    // clipboard route is desktop-only), so the command asks with an open dialog filtered to checkpoints.
    await wb.runCommand('View: Close All Editors');
    await wb.runCommand('Convert to HF AST');
    await wb.page.locator('.quick-input-widget .quick-input-title', { hasText: 'choose an SSAST/AST checkpoint' }).waitFor();
    await wb.screenshot('convert-open-dialog');
    await wb.page.locator('.quick-input-widget .quick-input-box input').fill(join(workspace!.dir, 'ssast_frame.pth'));
    await wb.pressEnter();
    const text = await settledToast(wb, /Cannot convert ssast_frame\.pth/);
    assert.match(text, /frame model/);
    assert.equal(await wb.page.locator('.monaco-dialog-box').count(), 0);
  });
});
