// Activation reads no checkpoint: 50 torch-written checkpoints in the workspace are found (for the status
// bar) but none is parsed until a hover asks about a key; that first hover then answers. Runs first of the
// integration files (by name), before any other test opens a checkpoint or reindexes.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { writeManyCheckpoints } from '../helpers/manyCheckpoints';

const FILES = 50;
const TENSORS = 100;

interface IndexState {
  readonly started: boolean;
  readonly indexed: number;
  readonly failed: number;
  readonly pending: number;
}

const indexState = (): Thenable<IndexState> => vscode.commands.executeCommand<IndexState>('astCheckpoints.hoverIndexState');

describe('Activation with many checkpoints in the workspace', function () {
  this.timeout(300_000);
  const dir = join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '', 'lazy-many');

  before(async () => {
    mkdirSync(dir, { recursive: true });
    await writeManyCheckpoints(dir, FILES, TENSORS);
  });

  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await vscode.commands.executeCommand('astCheckpoints.reindexWorkspace');
  });

  it(`finds all ${FILES} checkpoints, parses none of them, and starts reading on the first hover over a key`, async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content: 'k = "bench.shared"\nn = "not a key"' });
    await vscode.window.showTextDocument(doc);
    // The watcher sees the new files and the workspace scan queues them (stat only).
    const deadline = Date.now() + 60_000;
    let state = await indexState();
    while (state.pending < FILES) {
      if (Date.now() > deadline) throw new Error(`only ${state.pending} checkpoints queued within 60 s`);
      await new Promise((r) => setTimeout(r, 200));
      state = await indexState();
    }
    // Give a would-be background indexer time to read some.
    await new Promise((r) => setTimeout(r, 2_000));
    state = await indexState();
    assert.deepEqual({ started: state.started, indexed: state.indexed, failed: state.failed }, { started: false, indexed: 0, failed: 0 }, 'a checkpoint was read before anyone asked');

    // A string that is no key does not start reading.
    await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(1, 7));
    assert.equal((await indexState()).started, false, 'a hover over prose started indexing');

    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(0, 6));
    assert.ok(hovers.length > 0, 'the first hover over a key did not answer');
    assert.equal((await indexState()).started, true);
  });
});
