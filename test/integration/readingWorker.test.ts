// The reading worker inside the real extension host: a worker that dies mid-read becomes an error view
// with code `worker-crashed` (never a hang), the next read starts a fresh worker, and documents the dead
// worker held are read again by the new one.
import * as assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { CheckpointDocument } from '../../src/extension/editor/checkpointDocument';
import { extensionPath } from '../../src/extension/common/extensionId';
import { ReadingWorker } from '../../src/extension/reader/readingWorker';
import type { DocumentViewWire } from '../../src/protocol/messages';

function samplePath(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace folder is not open');
  const name = readdirSync(folder.uri.fsPath).find((n) => n === 'ssast-tiny-sample.pth');
  assert.ok(name, 'no ssast-tiny-sample.pth in the workspace');
  return join(folder.uri.fsPath, name);
}

function nextView(doc: CheckpointDocument, timeoutMs = 20_000): Promise<DocumentViewWire> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no view within ${timeoutMs} ms`)), timeoutMs);
    const sub = doc.onDidChangeView((view) => {
      clearTimeout(timer);
      sub.dispose();
      resolve(view);
    });
  });
}

describe('reading worker', () => {
  let reader: ReadingWorker;
  beforeEach(() => {
    reader = ReadingWorker.forExtension(extensionPath());
  });
  afterEach(() => reader.dispose());

  it('turns a worker that dies mid-read into a worker-crashed error view, and reads again with a new worker', async () => {
    const uri = vscode.Uri.file(samplePath());
    const doc = CheckpointDocument.open(uri, reader);
    try {
      // Once the document asked the worker to open the file (the next turn), end the worker before it
      // can answer: loading its bundle alone takes longer than this.
      await new Promise((r) => setTimeout(r, 0));
      await reader.terminate();
      await doc.ready;
      const failed = doc.view;
      assert.equal(failed?.kind, 'error');
      assert.equal(failed?.kind === 'error' && failed.code, 'worker-crashed');
      assert.match(failed?.kind === 'error' ? failed.message : '', /reading worker stopped/);
      const view = await doc.reload();
      assert.equal(view?.kind, 'checkpoint', view?.kind === 'error' ? view.message : '');
      assert.ok(view?.kind === 'checkpoint' && view.tensorCount > 0);
    } finally {
      doc.dispose();
    }
  });

  it('reads a loaded document again when its worker dies, and statistics work on the new worker', async () => {
    const doc = CheckpointDocument.open(vscode.Uri.file(samplePath()), reader);
    try {
      await doc.ready;
      const before = doc.view;
      assert.equal(before?.kind, 'checkpoint');
      const reread = nextView(doc);
      await reader.terminate();
      const after = await reread;
      assert.equal(after.kind, 'checkpoint');
      assert.equal(after.kind === 'checkpoint' && after.tensorCount, before?.kind === 'checkpoint' && before.tensorCount);
      const name = after.kind === 'checkpoint' ? after.packedRows.names[0]! : '';
      const stats = await doc.statistics(name, 8, new AbortController().signal, () => undefined);
      assert.equal(stats.histogram.counts.reduce((a, b) => a + b, 0), stats.count - stats.nanCount - stats.posInfCount - stats.negInfCount);
    } finally {
      doc.dispose();
    }
  });

  it('fails a statistics request of a document the worker does not hold with an error naming the tensor', async () => {
    const doc = CheckpointDocument.open(vscode.Uri.file(samplePath()), reader);
    try {
      await doc.ready;
      await assert.rejects(doc.statistics('no.such.tensor', 8, new AbortController().signal, () => undefined), /no tensor named no\.such\.tensor/);
    } finally {
      doc.dispose();
    }
  });
});
