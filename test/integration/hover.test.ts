// Key hovers in the real extension host: a torch-written SSAST checkpoint in the workspace, code and
// configs that name its keys, and `vscode.executeHoverProvider` asked what the user would see.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { fileKey, tensorFromFragment, withTensorFragment } from '../../src/extension/editor/revealTensor';
import { fixturesDir } from '../harness/paths';
import { writeSsastSample, type TorchTensorFacts } from '../helpers/ssastSample';
import { runPython } from '../helpers/torch';

const QKV = 'module.v.blocks.0.attn.qkv.weight';

/** Text of every hover the providers return at the first character of `marker` in `doc`. */
async function hoverText(doc: vscode.TextDocument, marker: string): Promise<string[]> {
  const offset = doc.getText().indexOf(marker);
  assert.ok(offset >= 0, `${marker} is not in ${doc.uri.toString()}`);
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, doc.positionAt(offset + 1));
  return hovers.map((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n'));
}

async function untitled(language: string, content: string): Promise<vscode.TextDocument> {
  return vscode.workspace.openTextDocument({ language, content });
}

/** Polls `check` until it holds: the file watcher works in the background. */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`timed out after ${timeoutMs} ms waiting until ${what}`);
}

describe('Key hovers', function () {
  this.timeout(120_000);
  const root = (vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '') + '/hover-test';
  const checkpoint = join(root, 'ssast-tiny.pth');
  let facts: Record<string, TorchTensorFacts>;
  let train: vscode.TextDocument;

  before(async () => {
    assert.ok(vscode.workspace.workspaceFolders?.length, 'the tests need a workspace folder');
    mkdirSync(root, { recursive: true });
    facts = await writeSsastSample(fixturesDir(), checkpoint);
    writeFileSync(
      join(root, 'train.py'),
      [
        'sd = torch.load("ssast-tiny.pth")',
        `w = sd["${QKV}"]`,
        'hf_key = "encoder.layer.0.attention.attention.key.weight"',
        'block = sd.get("module.v.blocks.1")',
        'opt = {"learning_rate": 1e-4}',
        '',
      ].join('\n'),
    );
    const indexed = await vscode.commands.executeCommand<number>('astCheckpoints.reindexWorkspace');
    assert.ok(indexed >= 1, `reindex found ${indexed} checkpoints`);
    // Other suites' fixtures hold the same keys: make ours answer first.
    await vscode.commands.executeCommand('astCheckpoints.pickHoverCheckpoint', vscode.Uri.file(checkpoint));
    train = await vscode.workspace.openTextDocument(join(root, 'train.py'));
  });

  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('shows dtype, shape and the query/key/value targets on a state-dict key in Python', async () => {
    const qkv = facts[QKV] as TorchTensorFacts;
    const [text, ...rest] = await hoverText(train, QKV);
    assert.equal(rest.length, 0, 'one hover');
    assert.ok(text, 'a hover on the key');
    for (const expected of [qkv.dtype, qkv.shapeText, 'hover-test/ssast-tiny.pth']) assert.ok(text.includes(expected), `${expected} missing:\n${text}`);
    for (const part of ['query', 'key', 'value']) {
      assert.ok(text.includes(`encoder.layer.0.attention.attention.${part}.weight`), `${part} target missing:\n${text}`);
    }
    assert.ok(text.includes('command:astCheckpoints.openInInspector?'), 'a link to the inspector');
  });

  it('shows the source slice of an HF name', async () => {
    const d = ((facts[QKV] as TorchTensorFacts).shape[0] as number) / 3;
    const [text] = await hoverText(train, 'encoder.layer.0.attention.attention.key.weight');
    assert.ok(text?.includes(QKV) && text.includes(`rows ${d}–${2 * d}`), `source slice missing:\n${text}`);
  });

  it('summarizes a module prefix', async () => {
    const under = Object.keys(facts).filter((k) => k.startsWith('module.v.blocks.1.'));
    const [text] = await hoverText(train, 'module.v.blocks.1');
    assert.ok(text?.includes(`${under.length} tensors`), `module summary missing:\n${text}`);
  });

  it('shows nothing on an unrelated string', async () => {
    assert.deepEqual(await hoverText(train, 'learning_rate'), []);
  });

  it('answers in JSON, YAML, Markdown and plain text too', async () => {
    const shape = (facts['module.v.pos_embed'] as TorchTensorFacts).shapeText;
    const docs = await Promise.all([
      untitled('json', '{"freeze": ["module.v.pos_embed"]}'),
      untitled('yaml', 'freeze:\n  - module.v.pos_embed\n'),
      untitled('markdown', 'We interpolate `module.v.pos_embed` here.'),
      untitled('plaintext', 'pos: module.v.pos_embed'),
    ]);
    for (const doc of docs) {
      const [text] = await hoverText(doc, 'module.v.pos_embed');
      assert.ok(text?.includes(shape), `${doc.languageId}: ${shape} missing:\n${text}`);
    }
  });

  it('answers in a Jupyter notebook code cell', async () => {
    const data = new vscode.NotebookData([new vscode.NotebookCellData(vscode.NotebookCellKind.Code, `x = sd["${QKV}"]`, 'python')]);
    const notebook = await vscode.workspace.openNotebookDocument('jupyter-notebook', data);
    const cell = notebook.cellAt(0).document;
    assert.equal(cell.uri.scheme, 'vscode-notebook-cell');
    const [text] = await hoverText(cell, QKV);
    assert.ok(text?.includes((facts[QKV] as TorchTensorFacts).shapeText), `notebook hover missing:\n${text}`);
  });

  it('picks up a checkpoint written while running, and forgets it when deleted', async () => {
    const late = join(root, 'late.pth');
    await runPython('import sys, torch\ntorch.save({"late_marker.weight": torch.zeros(3, 5)}, sys.argv[1])', [late]);
    const doc = await untitled('python', 'k = "late_marker.weight"');
    await eventually('the new checkpoint answers', async () => (await hoverText(doc, 'late_marker')).some((t) => t.includes('[3, 5]')));
    rmSync(late);
    await eventually('the deleted checkpoint stops answering', async () => (await hoverText(doc, 'late_marker')).length === 0);
  });

  it('follows the exclude and size-limit settings, but always answers from files open in the inspector', async () => {
    const settings = vscode.workspace.getConfiguration('astCheckpoints.hover');
    const fromOurs = async (): Promise<boolean> => (await hoverText(train, QKV)).some((t) => t.includes('hover-test/ssast-tiny.pth'));
    try {
      await settings.update('exclude', ['**/hover-test/**'], vscode.ConfigurationTarget.Workspace);
      await vscode.commands.executeCommand('astCheckpoints.reindexWorkspace');
      assert.equal(await fromOurs(), false, 'an excluded checkpoint still answers');

      await settings.update('exclude', undefined, vscode.ConfigurationTarget.Workspace);
      await settings.update('maxFileSizeMB', 1, vscode.ConfigurationTarget.Workspace);
      await vscode.commands.executeCommand('astCheckpoints.reindexWorkspace');
      assert.equal(await fromOurs(), false, 'a checkpoint over the size limit still answers');

      await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(checkpoint), 'astCheckpoints.checkpointEditor');
      await eventually('the open checkpoint answers', fromOurs);
    } finally {
      await settings.update('exclude', undefined, vscode.ConfigurationTarget.Workspace);
      await settings.update('maxFileSizeMB', undefined, vscode.ConfigurationTarget.Workspace);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('astCheckpoints.reindexWorkspace');
    }
    assert.ok(await fromOurs(), 'answers again once the settings are back');
  });

  /** Inspector tabs of the checkpoint, whatever their fragment. */
  function inspectorTabs(): vscode.TabInputCustom[] {
    return vscode.window.tabGroups.all.flatMap((g) =>
      g.tabs.flatMap((t) =>
        t.input instanceof vscode.TabInputCustom && t.input.viewType === 'astCheckpoints.checkpointEditor' && t.input.uri.fsPath === checkpoint
          ? [t.input]
          : [],
      ),
    );
  }

  function activeInspector(): boolean {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    return input instanceof vscode.TabInputCustom && input.uri.fsPath === checkpoint;
  }

  it('opens the checkpoint in the inspector with the row in the URI fragment', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('astCheckpoints.openInInspector', vscode.Uri.file(checkpoint).toString(), QKV);
    await eventually('the inspector tab is open', async () => inspectorTabs().some((t) => t.uri.fragment === `tensor=${encodeURIComponent(QKV)}`));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('reuses the open inspector tab of the file for another tensor, whatever its fragment', async () => {
    const other = Object.keys(facts).at(-1) as string;
    try {
      // Open without a fragment, then from the hover twice: still that one tab, made active again.
      await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(checkpoint), 'astCheckpoints.checkpointEditor');
      await eventually('the inspector tab is active', async () => activeInspector());
      for (const tensor of [QKV, other]) {
        await vscode.window.showTextDocument(train);
        await vscode.commands.executeCommand('astCheckpoints.openInInspector', vscode.Uri.file(checkpoint).toString(), tensor);
        await eventually(`the inspector is active again for ${tensor}`, async () => activeInspector());
        assert.deepEqual(inspectorTabs().map((t) => t.uri.fragment), [''], 'one inspector tab of the file, the one opened first');
      }
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  it('round-trips any tensor name through the #tensor= fragment the inspector reads', () => {
    for (const name of [QKV, 'state_dict.odd key&x=1#%.weight']) {
      const uri = vscode.Uri.parse(withTensorFragment(vscode.Uri.file(checkpoint), name).toString());
      assert.equal(tensorFromFragment(uri), name);
      assert.equal(uri.fsPath, checkpoint, 'the fragment does not change the file');
      assert.equal(fileKey(uri), fileKey(vscode.Uri.file(checkpoint)), 'nor its identity');
    }
  });
});
