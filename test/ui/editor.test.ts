// The Checkpoint Inspector in the real workbench: an SSAST-Tiny pretraining checkpoint written by torch,
// opened from Quick Open; filter, "only unmapped", sort, statistics against torch; a hostile pickle; a
// truncated file; then a valid file again. Screenshots go to test-results/ (and the README's to media/).
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { fixturesDir, projectRoot } from '../harness/paths';
import { Workbench } from '../harness/workbench';
import { prepareWorkspace, type Workspace } from '../harness/workspace';
import { runPythonJson } from '../helpers/torch';

const TINY = 'ssast-tiny-pretrained.pth';
const HOSTILE = 'hostile.pth';
const TRUNCATED = 'truncated.pth';
const NESTED = 'nested-training.pth';
const QKV = 'module.v.blocks.0.attn.qkv.weight';

/** Writes the three files with torch: a 12-block SSAST-Tiny pretraining state dict, a pickle whose
 * payload calls os.system, and the Tiny file cut in half. argv[1] = the workspace. */
const writeFiles = (fixtures: string) => `
import os, sys, torch
sys.path.insert(0, ${JSON.stringify(fixtures)})
import make_fixtures
ws = sys.argv[1]
tiny = os.path.join(ws, ${JSON.stringify(TINY)})
make_fixtures.write_ssast_tiny_sample(tiny, layers=12)
class Payload:
    def __reduce__(self):
        return (os.system, ('touch ' + os.path.join(ws, 'pwned'),))
torch.save({'weight': torch.ones(3), 'payload': Payload()}, os.path.join(ws, ${JSON.stringify(HOSTILE)}))
import argparse, tempfile
with tempfile.TemporaryDirectory() as tmp:
    small = os.path.join(tmp, 'small.pth')
    make_fixtures.write_ssast_tiny_sample(small)
    model = torch.load(small)
del model['module.v.norm.weight']
optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=0.1).state_dict()
torch.save({'model': model, 'optimizer': optimizer, 'epoch': 7, 'args': argparse.Namespace(lr=0.1)}, os.path.join(ws, ${JSON.stringify(NESTED)}))
data = open(tiny, 'rb').read()
open(os.path.join(ws, ${JSON.stringify(TRUNCATED)}), 'wb').write(data[: len(data) // 2])
`;

/** What torch says about the Tiny file: every key with shape and size, and statistics of one tensor. */
const DESCRIBE = `
import json, sys, torch
sd = torch.load(sys.argv[1])
t = sd[sys.argv[2]].double()
print(json.dumps({
  "keys": list(sd.keys()),
  "shapes": {k: str(list(v.shape)) for k, v in sd.items()},
  "bytes": {k: v.numel() * v.element_size() for k, v in sd.items()},
  "qkvRows": sd[sys.argv[2]].shape[0] // 3,
  "posRows": sd["module.v.pos_embed"].shape[1],
  "patch": list(sd["module.v.patch_embed.proj.weight"].shape[2:]),
  "pInput": [int(sd["module.p_input_fdim"]), int(sd["module.p_input_tdim"])],
  "stats": {"count": t.numel(), "min": t.min().item(), "max": t.max().item(), "mean": t.mean().item(),
            "std": t.std().item()},
}))
`;

interface TorchFacts {
  keys: string[];
  shapes: Record<string, string>;
  bytes: Record<string, number>;
  qkvRows: number;
  posRows: number;
  patch: [number, number];
  pInput: [number, number];
  stats: { count: number; min: number; max: number; mean: number; std: number };
}

function close(actual: number, expected: number, what: string, rel = 1e-6): void {
  const tolerance = rel * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: view shows ${actual}, torch says ${expected}`);
}

describe('checkpoint editor in VS Code', () => {
  let workspace: Workspace | undefined;
  let wb: Workbench;
  let torch: TorchFacts;
  let view: FrameLocator;
  const cspViolations: string[] = [];

  const rows = () => view.locator('[data-testid=tensor-row]');
  const shownCount = async () => Number(await view.locator('[data-testid=row-count]').getAttribute('data-shown'));

  /** Polls `probe` until it returns true (the view applies input after a short debounce). */
  async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function setFilter(text: string): Promise<void> {
    await view.locator('[data-testid=filter] input').fill(text);
    const expected = torch.keys.filter((k) => k.includes(text)).length;
    await until(`the filter "${text}" shows ${expected} rows`, async () => (await shownCount()) === expected);
  }

  async function open(name: string): Promise<number> {
    const started = Date.now();
    await wb.quickOpen(name);
    await wb.waitForActiveTab(name);
    view = wb.webview();
    await view.locator('[data-testid=tensor-row], [data-testid=error-view]').first().waitFor({ state: 'visible', timeout: 60_000 });
    return Date.now() - started;
  }

  before(async () => {
    workspace = await prepareWorkspace({ torchScript: writeFiles(fixturesDir()) });
    torch = await runPythonJson<TorchFacts>(DESCRIBE, [join(workspace.dir, TINY), QKV]);
    wb = await Workbench.start({ workspace: workspace.dir, timeoutMs: 60_000 });
    wb.page.on('console', (msg) => {
      if (/Content[- ]Security[- ]Policy|Refused to/i.test(msg.text())) cspViolations.push(`${msg.location().url}: ${msg.text()}`);
    });
  });

  after(async () => {
    await wb?.close();
    await workspace?.cleanup();
  });

  it('opens an SSAST-Tiny pretraining checkpoint from Quick Open and shows its mapping', async () => {
    const ms = await open(TINY);
    const app = view.locator('#app');
    const timings = ['load-ms', 'ready-at-ms', 'init-wait-ms', 'first-rows-ms'].map(async (k) => `${k} ${await app.getAttribute(`data-${k}`)}`);
    console.log(`editor: first rows of ${TINY} (${torch.keys.length} tensors) ${ms} ms after Quick Open; ${(await Promise.all(timings)).join(', ')}`);
    assert.equal(await view.locator('[data-testid=tensor-count]').textContent(), torch.keys.length.toLocaleString('en-US'));
    assert.match((await view.locator('[data-testid=detection-summary]').textContent()) ?? '', /Tiny/);
    assert.match((await view.locator('[data-testid=mapping-coverage]').textContent()) ?? '', /of \d+ tensors map to HF AST/);
    assert.equal(await view.locator('[data-testid=safety-banner]').getAttribute('data-verdict'), 'safe');
    await wb.screenshot('editor-ssast-tiny-dark');
  });

  it('shows module.gpredlayer.* as dropped with its reason', async () => {
    await setFilter('module.gpredlayer.');
    const expected = torch.keys.filter((k) => k.startsWith('module.gpredlayer.'));
    assert.equal(await shownCount(), expected.length);
    for (const name of expected) {
      const row = view.locator(`[data-testid=tensor-row][data-name="${name}"]`);
      assert.equal(await row.getAttribute('data-status'), 'dropped', `${name} is not shown as dropped`);
      const target = (await row.locator('[data-testid=row-targets]').textContent()) ?? '';
      assert.match(target, /^dropped: \S.{5,}/, `${name} shows no reason: "${target}"`);
    }
  });

  it(`shows ${QKV} with its shape and the query, key and value targets`, async () => {
    await setFilter(QKV);
    const row = view.locator(`[data-testid=tensor-row][data-name="${QKV}"]`);
    assert.equal(await row.locator('[data-testid=row-shape]').textContent(), torch.shapes[QKV]);
    const targets = await row.locator('.target-line').allTextContents();
    const d = torch.qkvRows;
    for (const [i, part] of ['query', 'key', 'value'].entries()) {
      assert.equal(targets[i], `encoder.layer.0.attention.attention.${part}.weight [${d}, ${d}]`);
    }
  });

  it('narrows the rows with "only unmapped" and sorts by size', async () => {
    await setFilter('');
    const total = await shownCount();
    assert.equal(total, torch.keys.length);
    await view.locator('[data-testid=only-unmapped]').click();
    await until('"only unmapped" applies', async () => (await shownCount()) !== total);
    const unmapped = await shownCount();
    assert.ok(unmapped > 0 && unmapped < total, `only unmapped shows ${unmapped} of ${total}`);
    const statuses = await rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    assert.ok(statuses.length > 0 && statuses.every((s) => s !== 'mapped'), `mapped rows left: ${statuses.join(',')}`);
    await view.locator('[data-testid=only-unmapped]').click();
    await until('"only unmapped" is off again', async () => (await shownCount()) === total);

    await view.locator('[data-testid=sort-bytes]').click(); // ascending
    await view.locator('[data-testid=sort-bytes]').click(); // descending
    await view.locator('[data-testid=sort-bytes][aria-sort=descending]').waitFor();
    const sizes = await rows().evaluateAll((els) => els.map((e) => Number(e.querySelector('[data-testid=row-bytes]')?.getAttribute('data-bytes'))));
    assert.ok(sizes.length >= 5);
    for (let i = 1; i < sizes.length; i++) assert.ok(sizes[i - 1]! >= sizes[i]!, `sizes not descending at row ${i}: ${sizes.slice(0, i + 1).join(', ')}`);
    assert.equal(sizes[0], Math.max(...Object.values(torch.bytes)));
    await wb.screenshot('editor-sorted-by-size');
  });

  it('computes statistics of one tensor equal to torch', async () => {
    await setFilter(QKV);
    const row = view.locator(`[data-testid=tensor-row][data-name="${QKV}"]`);
    await row.click();
    await row.locator('[data-testid=open-stats]').click();
    const panel = view.locator(`[data-testid=stats-panel][data-phase=done][data-tensor="${QKV}"]`);
    await panel.waitFor({ state: 'visible', timeout: 60_000 });
    const value = async (id: string) => Number(await panel.locator(`[data-testid=stat-${id}]`).getAttribute('data-value'));
    assert.equal(await value('count'), torch.stats.count);
    close(await value('min'), torch.stats.min, 'min', 1e-7);
    close(await value('max'), torch.stats.max, 'max', 1e-7);
    close(await value('mean'), torch.stats.mean, 'mean');
    close(await value('std'), torch.stats.std, 'std (n − 1, as torch.std)');
    assert.equal(await value('nan'), 0);
    assert.ok(await panel.locator('[data-testid=stats-histogram]').isVisible());
    await wb.screenshot('editor-statistics-dark');
  });

  it('shows a hover card with strides and the pos_embed grid breakdown', async () => {
    const name = 'module.v.pos_embed';
    await setFilter(name);
    await view.locator(`[data-testid=tensor-row][data-name="${name}"] [data-testid=row-dtype]`).hover();
    const tip = view.locator(`[data-testid=row-tooltip][data-tensor="${name}"]:not([hidden])`);
    await tip.waitFor({ state: 'visible' });
    const text = (await tip.textContent()) ?? '';
    const [pf, pt] = torch.patch;
    const [melBins, frames] = torch.pInput;
    const [f, t] = [melBins / pf, frames / pt];
    assert.match(text, /strides\[\d+, \d+, 1\]/);
    assert.ok(text.includes(`${torch.posRows} rows = 2 cls tokens + ${torch.posRows - 2} patches = ${f} (frequency) × ${t} (time) grid`), text);
    assert.ok(text.includes(`stride ${pf}×${pt}: ${melBins} mel bins × ${frames} frames`), text);
    await wb.screenshot('editor-pos-embed-hover');
    await view.locator('[data-testid=filter] input').hover();
  });

  it('moves the selection with the keyboard and opens statistics with Enter', async () => {
    await setFilter('module.v.blocks.1.');
    const names = await rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-name') ?? ''));
    await rows().first().locator('[data-testid=row-dtype]').click();
    await view.locator('[data-testid=tensor-table]').press('ArrowDown');
    await view.locator('[data-testid=tensor-table]').press('ArrowDown');
    const selected = view.locator('[data-testid=tensor-row][aria-selected=true]');
    assert.equal(await selected.getAttribute('data-name'), names[2]);
    await view.locator('[data-testid=tensor-table]').press('Control+c');
    await view.locator('[data-testid=status-line]', { hasText: `Copied ${names[2]}` }).waitFor();
    await view.locator('[data-testid=tensor-table]').press('Enter');
    await view.locator(`[data-testid=stats-panel][data-tensor="${names[2]}"]`).waitFor({ state: 'visible' });
    await view.locator('[data-testid=tensor-table]').press('Escape');
    await view.locator('[data-testid=stats-panel]').waitFor({ state: 'hidden' });
  });

  it('groups rows by module with the block stack collapsed', async () => {
    await setFilter('');
    await view.locator('[data-testid=group-modules]').click();
    const blocks = view.locator('[data-testid=group-row][data-group="module.v.blocks"]');
    await blocks.waitFor();
    assert.equal(await blocks.getAttribute('aria-expanded'), 'false');
    assert.equal(await view.locator('[data-testid=tensor-row][data-name^="module.v.blocks."]').count(), 0);
    await blocks.click();
    await view.locator('[data-testid=group-row][data-group="module.v.blocks.11"]').waitFor();
    assert.equal(await blocks.getAttribute('aria-expanded'), 'true');
    await wb.screenshot('editor-grouped-by-module');
    await view.locator('[data-testid=group-modules]').click();
    await view.locator('[data-testid=group-row]').first().waitFor({ state: 'detached' });
  });

  it('takes README screenshots in dark, light and high contrast', async () => {
    await setFilter('');
    await view.locator('[data-testid=sort-bytes]').click(); // descending → file order
    await view.locator('[data-testid=sort-bytes][aria-sort=none]').waitFor();
    assert.equal(await rows().first().getAttribute('data-name'), torch.keys[0]);
    const readme = join(projectRoot(), 'media', 'screenshots');
    mkdirSync(readme, { recursive: true });
    await wb.setTheme('dark');
    await view.locator('[data-testid=tensor-row]').first().waitFor();
    copyFileSync(await wb.screenshot('editor-theme-dark'), join(readme, 'editor-dark.png'));
    await wb.setTheme('light');
    await view.locator('[data-testid=tensor-row]').first().waitFor();
    copyFileSync(await wb.screenshot('editor-theme-light'), join(readme, 'editor-light.png'));
    await wb.setTheme('hc');
    await view.locator('[data-testid=tensor-row]').first().waitFor();
    await wb.screenshot('editor-theme-high-contrast');
    await wb.setTheme('dark');
  });

  it('keeps the filter when the user comes back to the tab', async () => {
    await setFilter('attn.qkv');

    await open(HOSTILE);
    await open(TINY);
    assert.equal(await view.locator('[data-testid=filter] input').inputValue(), 'attn.qkv');
    assert.equal(await shownCount(), torch.keys.filter((k) => k.includes('attn.qkv')).length);
  });

  it('finds the state dict of a training checkpoint and shows the rest as a metadata tree', async () => {
    await open(NESTED);
    const nested = await runPythonJson<{ model: number; epoch: number; removedShape: string }>(`
import json, sys, torch
ckpt = torch.load(sys.argv[1])
print(json.dumps({"model": len(ckpt["model"]), "epoch": ckpt["epoch"], "removedShape": str([ckpt["model"]["module.v.norm.bias"].shape[0]])}))`, [join(workspace!.dir, NESTED)]);
    assert.equal(await shownCount(), nested.model);
    assert.match((await view.locator('[data-testid=state-dicts]').textContent()) ?? '', new RegExp(`model — ${nested.model} tensors`));
    await view.locator('[data-testid=metadata-tree] > summary').click();
    const epoch = view.locator('[data-testid=metadata-tree] [data-key=epoch]');
    assert.equal(await epoch.textContent(), `epoch: ${nested.epoch}`);
    assert.match((await view.locator('[data-testid=metadata-tree] [data-key=args] > summary').textContent()) ?? '', /argparse\.Namespace/);
    // The file lacks the final LayerNorm weight, so its HF key stays unfilled; its shape is that of the bias.
    const missing = view.locator('[data-testid=missing-section]');
    assert.match((await missing.locator('summary').textContent()) ?? '', /Missing in HF \(1\)/);
    assert.equal(await missing.locator('li[data-name="layernorm.weight"]').textContent(), `layernorm.weight ${nested.removedShape}`);
    const banner = view.locator('[data-testid=safety-banner]');
    assert.equal(await banner.getAttribute('data-verdict'), 'not-weights-only');
    assert.match((await banner.locator('[data-testid=allowlist-snippet]').textContent()) ?? '', /add_safe_globals\(\[argparse\.Namespace\]\)/);
    await wb.screenshot('editor-nested-training-checkpoint');
  });

  it('shows the danger banner for a pickle that calls os.system, and runs nothing', async () => {
    await open(HOSTILE);
    const banner = view.locator('[data-testid=safety-banner]');
    assert.equal(await banner.getAttribute('data-verdict'), 'dangerous');
    const globals = (await banner.locator('[data-testid=safety-globals]').textContent()) ?? '';
    assert.match(globals, /\b(os|posix)\.system\b/);
    assert.equal(existsSync(join(workspace!.dir, 'pwned')), false, 'the payload ran');
    await wb.screenshot('editor-hostile-pickle');
  });

  it('shows the error of a truncated file, then still opens a valid one', async () => {
    await open(TRUNCATED);
    const error = view.locator('[data-testid=error-view]');
    await error.waitFor();
    const message = (await error.locator('[data-testid=error-message]').textContent()) ?? '';
    assert.match(message, new RegExp(TRUNCATED.replace('.', '\\.')));
    await wb.screenshot('editor-truncated-file');
    // Reload reads the file again and lands on the same error, not on a failed request.
    await error.locator('[data-testid=reload-button]').click();
    await view.locator('[data-testid=error-message]').waitFor();
    assert.equal(await view.locator('[data-testid=error-message]').textContent(), message);
    await wb.runCommand('View: Close All Editors');
    await open(TINY);
    assert.equal(await view.locator('[data-testid=tensor-count]').textContent(), torch.keys.length.toLocaleString('en-US'));
  });

  it('ran under its Content Security Policy without violations', () => {
    const ours = cspViolations.filter((v) => /webview|vscode-cdn|vscode-resource/i.test(v));
    assert.deepEqual(ours, []);
  });
});
