// Indexing many checkpoints in the real extension host: hovers answer from the first indexed file while
// the rest are still being read, and every file ends up indexed. Prints the times it measured.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { writeManyCheckpoints } from '../helpers/manyCheckpoints';

const FILES = 50;
const TENSORS = 1000;

async function answers(doc: vscode.TextDocument): Promise<boolean> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(0, 6));
  return hovers.length > 0;
}

describe('Key hover indexing of many checkpoints', function () {
  this.timeout(300_000);
  const dir = join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '', 'hover-many');

  before(async () => {
    mkdirSync(dir, { recursive: true });
    await writeManyCheckpoints(dir, FILES, TENSORS);
  });

  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await vscode.commands.executeCommand('astCheckpoints.reindexWorkspace');
  });

  it(`answers the first hover long before all ${FILES} × ${TENSORS}-tensor checkpoints are indexed`, async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content: 'k = "bench.shared"' });
    const started = Date.now();
    let indexedMs: number | undefined;
    const reindex = vscode.commands.executeCommand<number>('astCheckpoints.reindexWorkspace').then((n) => {
      indexedMs = Date.now() - started;
      return n;
    });
    let firstHoverMs: number | undefined;
    while (firstHoverMs === undefined && indexedMs === undefined) {
      if (await answers(doc)) firstHoverMs = Date.now() - started;
      else await new Promise((r) => setTimeout(r, 10));
    }
    const indexed = await reindex;
    console.log(`hover indexing in the extension host: first hover ${firstHoverMs} ms, ${indexed} checkpoints indexed in ${indexedMs} ms`);
    assert.ok(indexed >= FILES, `only ${indexed} checkpoints indexed`);
    assert.ok(firstHoverMs !== undefined && firstHoverMs < (indexedMs ?? 0), `first hover at ${firstHoverMs} ms, all indexed at ${indexedMs} ms`);
    assert.ok(await answers(doc), 'still answers once everything is indexed');
  });
});
