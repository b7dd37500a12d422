// Plain pickles and .npz archives in the real extension host: the inspector opens them (the optional
// editor, "Open With…", since *.pkl / *.npz files are often not model weights) and lists what Python reports.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { CheckpointDocument } from '../../src/extension/editor/checkpointDocument';
import { unpackRows } from '../../src/protocol/packedRows';
import { runPythonJson, tempDir } from '../helpers/torch';

const OPTIONAL_VIEW_TYPE = 'astCheckpoints.checkpointEditor.optional';

const WRITE = `
import json, pickle, sys, numpy as np, torch
folder = sys.argv[1]
torch.manual_seed(0)
state = {'encoder': {'weight': torch.randn(4, 3), 'bias': torch.zeros(4)}, 'epoch': 2}
with open(folder + '/state.pkl', 'wb') as f:
    pickle.dump(state, f)
np.savez(folder + '/arrays.npz', mel=np.random.rand(2, 128).astype(np.float32), ids=np.arange(5))
with open(folder + '/state.pkl', 'rb') as f:
    loaded = pickle.load(f)
with np.load(folder + '/arrays.npz') as z:
    arrays = [[k, str(torch.from_numpy(z[k]).dtype)[6:], list(z[k].shape)] for k in z.files]
print(json.dumps({'pickle': [['encoder.' + k, str(v.dtype)[6:], list(v.shape)] for k, v in loaded['encoder'].items()], 'npz': arrays}))
`;

async function activeCustomTab(uri: vscode.Uri, timeoutMs = 20_000): Promise<vscode.TabInputCustom> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (input instanceof vscode.TabInputCustom && input.uri.toString() === uri.toString()) return input;
    if (Date.now() > deadline) throw new Error(`no custom editor tab for ${uri.toString()} became active`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('pickle-based files in the inspector', () => {
  const tmp = tempDir('editor-pickle-formats-');
  let expected: { pickle: [string, string, number[]][]; npz: [string, string, number[]][] };
  before(async () => {
    expected = await runPythonJson(WRITE, [tmp.dir]);
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    tmp.cleanup();
  });

  it('the optional editor (priority "option") claims *.pkl, *.pickle, *.joblib, *.npy and *.npz', () => {
    const manifest = vscode.extensions.getExtension('ssast-tools.ssast-hf-ast')?.packageJSON as {
      contributes: { customEditors: { viewType: string; priority: string; selector: { filenamePattern: string }[] }[] };
    };
    const optional = manifest.contributes.customEditors.find((e) => e.viewType === OPTIONAL_VIEW_TYPE);
    assert.equal(optional?.priority, 'option');
    for (const p of ['*.pkl', '*.pickle', '*.joblib', '*.npy', '*.npz']) assert.ok(optional?.selector.some((s) => s.filenamePattern === p), p);
  });

  for (const [file, format] of [['state.pkl', 'pickle'], ['arrays.npz', 'npz']] as const) {
    it(`${file}: opens in the inspector and lists its tensors as Python does, safety verdict included`, async () => {
      const uri = vscode.Uri.file(join(tmp.dir, file));
      const doc = CheckpointDocument.open(uri);
      await doc.ready;
      try {
        const view = doc.view;
        assert.ok(view?.kind === 'checkpoint', view?.kind === 'error' ? view.message : 'no view');
        assert.equal(view.format, format);
        assert.deepEqual(unpackRows(view.packedRows).map((r) => [r.name, r.dtype, [...r.shape]]), expected[format]);
        assert.equal(view.safety.verdict, format === 'pickle' ? 'not-weights-only' : 'safe');
      } finally {
        doc.dispose();
      }
      void vscode.commands.executeCommand('vscode.openWith', uri, OPTIONAL_VIEW_TYPE);
      assert.equal((await activeCustomTab(uri)).viewType, OPTIONAL_VIEW_TYPE);
    });
  }
});
