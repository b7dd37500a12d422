// Inside the real extension host: every hostile payload file (test/hostile/make_hostile.py) and every
// malformed file (test/hostile/malformedFiles.ts) opens in the checkpoint editor to its view: dangerous
// files list with the global named, raw pickles and broken files become error views with their
// one-line message. Nothing runs (sentinels), and the sample checkpoint opened afterwards still works.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { CheckpointDocument } from '../../src/extension/editor/checkpointDocument';
import type { DocumentViewWire } from '../../src/protocol/messages';
import { malformedFiles } from '../hostile/malformedFiles';
import { runPython, tempDir } from '../helpers/torch';

const VIEW_TYPE = 'astCheckpoints.checkpointEditor';

interface HostileFile { file: string; container: string; global: string; sentinel: string }

function extensionPath(): string {
  const ext = vscode.extensions.getExtension('ssast-tools.ssast-hf-ast');
  assert.ok(ext, 'extension not found');
  return ext.extensionPath;
}

function samplePath(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace folder is not open');
  const name = readdirSync(folder.uri.fsPath).find((n) => n === 'ssast-tiny-sample.pth');
  assert.ok(name, 'no ssast-tiny-sample.pth in the workspace');
  return join(folder.uri.fsPath, name);
}

/** The view the editor builds for `file`, within `timeoutMs` (a hang fails the test with the file's name). */
async function viewOf(file: string, timeoutMs = 10_000): Promise<DocumentViewWire> {
  const doc = CheckpointDocument.open(vscode.Uri.file(file));
  try {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([doc.ready, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${basename(file)}: no view within ${timeoutMs} ms`)), timeoutMs); })]);
    clearTimeout(timer);
    assert.ok(doc.view, `${basename(file)}: no view`);
    return doc.view;
  } finally {
    doc.dispose();
  }
}

async function openInEditor(file: string, timeoutMs = 20_000): Promise<void> {
  const uri = vscode.Uri.file(file);
  void vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (input instanceof vscode.TabInputCustom && input.uri.toString() === uri.toString() && input.viewType === VIEW_TYPE) return;
    if (Date.now() > deadline) throw new Error(`${basename(file)} did not open in the checkpoint editor`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('hostile and malformed files in the checkpoint editor', function () {
  this.timeout(180_000);
  const tmp = tempDir('hostile-editor-');
  let corpus: HostileFile[] = [];
  const malformed: { file: string; expect: string }[] = [];

  before(async () => {
    const script = join(extensionPath(), 'test', 'hostile', 'make_hostile.py');
    await runPython(`import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')`, [script, tmp.dir]);
    corpus = JSON.parse(readFileSync(join(tmp.dir, 'manifest.json'), 'utf8')) as HostileFile[];
    for (const m of malformedFiles(new Uint8Array(readFileSync(samplePath())))) {
      const file = join(tmp.dir, m.name);
      writeFileSync(file, m.bytes);
      malformed.push({ file, expect: m.expect });
    }
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    tmp.cleanup();
  });

  it('every hostile payload file: listed as dangerous with its global, or an error view naming it', async () => {
    assert.ok(corpus.length >= 900);
    for (const item of corpus) {
      const view = await viewOf(item.file);
      {
        // Raw pickles are listed too (format 'pickle'), with the same verdict.
        assert.equal(view.kind, 'checkpoint', view.kind === 'error' ? view.message : '');
        assert.ok(view.kind === 'checkpoint' && view.format === (item.container === 'raw' ? 'pickle' : item.container === 'zip' ? 'torch-zip' : 'torch-legacy'), basename(item.file));
        assert.ok(view.kind === 'checkpoint' && view.safety.verdict === 'dangerous', basename(item.file));
        assert.ok(view.kind === 'checkpoint' && view.safety.globals.some((g) => g.name === item.global && g.verdict === 'dangerous'), `${basename(item.file)} names ${item.global}`);
      }
    }
    assert.deepEqual(corpus.filter((c) => existsSync(c.sentinel)).map((c) => basename(c.sentinel)), [], 'a payload ran');
  });

  it('every malformed file: its one-line typed error, or a listing when it is legal', async () => {
    for (const { file, expect } of malformed) {
      const started = Date.now();
      const view = await viewOf(file);
      assert.ok(Date.now() - started < 5000, `${basename(file)} took ${Date.now() - started} ms`);
      if (expect === 'lists') {
        assert.equal(view.kind, 'checkpoint', `${basename(file)}: ${view.kind === 'error' ? view.message : ''}`);
      } else {
        assert.equal(view.kind, 'error', basename(file));
        assert.ok(view.kind === 'error' && view.message.includes(expect) && view.message.includes(file) && !view.message.includes('\n'), `${basename(file)}: ${view.kind === 'error' ? view.message : ''}`);
        assert.ok(view.kind === 'error' && /FormatError|NotACheckpointError/.test(view.errorName), `${basename(file)}: ${view.kind === 'error' ? view.errorName : ''}`);
      }
    }
  });

  it('they open in the custom editor, and the sample checkpoint opened afterwards still works', async () => {
    const raw = corpus.find((c) => c.container === 'raw' && c.global === 'cProfile.run');
    const zip = corpus.find((c) => c.container === 'zip' && c.global === 'os.system');
    const legacy = corpus.find((c) => c.container === 'legacy' && c.global === 'subprocess.Popen');
    for (const file of [raw!.file, zip!.file, legacy!.file, ...malformed.map((m) => m.file)]) await openInEditor(file);
    await openInEditor(samplePath());
    const view = await viewOf(samplePath());
    assert.equal(view.kind, 'checkpoint', view.kind === 'error' ? view.message : '');
    assert.ok(view.kind === 'checkpoint' && view.tensorCount > 0 && view.safety.verdict === 'safe');
    assert.ok(vscode.extensions.getExtension('ssast-tools.ssast-hf-ast')?.isActive, 'the extension was deactivated');
  });
});
