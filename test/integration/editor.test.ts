// The checkpoint editor's host side inside the real extension host: opening in the custom editor, the
// workspace.fs byte source for non-file URIs, refresh when the file changes on disk, and bad files that
// become error views instead of crashing the host.
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { openFileSource } from '../../src/node/nodeFileSource';
import { openCheckpoint } from '../../src/core/openCheckpoint';
import { WorkspaceFsSource } from '../../src/extension/common/workspaceFsSource';
import { CheckpointDocument } from '../../src/extension/editor/checkpointDocument';
import type { DocumentViewWire } from '../../src/protocol/messages';
import { runPythonJson, tempDir } from '../helpers/torch';

const VIEW_TYPE = 'astCheckpoints.checkpointEditor';
const MEM_SCHEME = 'ckpt-editor-test';

function samplePath(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace folder is not open');
  const name = readdirSync(folder.uri.fsPath).find((n) => n.endsWith('.pth'));
  assert.ok(name, `no .pth fixture in ${folder.uri.fsPath}`);
  return join(folder.uri.fsPath, name);
}

/** Read-only in-memory file system: a scheme only workspace.fs can read. */
class MemoryFs implements vscode.FileSystemProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;
  constructor(private readonly files: ReadonlyMap<string, Uint8Array>) {}
  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }
  stat(uri: vscode.Uri): vscode.FileStat {
    const data = this.files.get(uri.path);
    if (!data) throw vscode.FileSystemError.FileNotFound(uri);
    return { type: vscode.FileType.File, ctime: 0, mtime: 0, size: data.length };
  }
  readFile(uri: vscode.Uri): Uint8Array {
    const data = this.files.get(uri.path);
    if (!data) throw vscode.FileSystemError.FileNotFound(uri);
    return data;
  }
  readDirectory(): [string, vscode.FileType][] {
    return [...this.files.keys()].map((p) => [p.slice(1), vscode.FileType.File]);
  }
  createDirectory(): void {
    throw vscode.FileSystemError.NoPermissions('read-only');
  }
  writeFile(): void {
    throw vscode.FileSystemError.NoPermissions('read-only');
  }
  delete(): void {
    throw vscode.FileSystemError.NoPermissions('read-only');
  }
  rename(): void {
    throw vscode.FileSystemError.NoPermissions('read-only');
  }
}

function nextView(doc: CheckpointDocument, timeoutMs = 20_000): Promise<DocumentViewWire> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no refresh within ${timeoutMs} ms`)), timeoutMs);
    const sub = doc.onDidChangeView((view) => {
      clearTimeout(timer);
      sub.dispose();
      resolve(view);
    });
  });
}

/** Waits until the active tab is a custom editor showing `uri`. */
async function activeCustomTab(uri: vscode.Uri, timeoutMs = 20_000): Promise<vscode.TabInputCustom> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (input instanceof vscode.TabInputCustom && input.uri.toString() === uri.toString()) return input;
    if (Date.now() > deadline) throw new Error(`no custom editor tab for ${uri.toString()} became active`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('checkpoint editor host', () => {
  let memFs: vscode.Disposable | undefined;

  after(async () => {
    memFs?.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('serves byte ranges of a non-file URI through workspace.fs exactly as the file holds them', async () => {
    const path = samplePath();
    const bytes = new Uint8Array(readFileSync(path));
    memFs = vscode.workspace.registerFileSystemProvider(MEM_SCHEME, new MemoryFs(new Map([['/sample.pth', bytes]])), { isReadonly: true });
    const source = await WorkspaceFsSource.open(vscode.Uri.from({ scheme: MEM_SCHEME, path: '/sample.pth' }));
    assert.equal(source.size, bytes.length);
    assert.deepEqual(await source.read(1000, 64), bytes.subarray(1000, 1064));
    await assert.rejects(source.read(bytes.length - 4, 8), /outside the file/);

    const viaFs = await openCheckpoint(source);
    const local = await openFileSource(path);
    try {
      const viaFile = await openCheckpoint(local);
      assert.deepEqual(viaFs.tensors.map((t) => [t.name, t.shape, t.byteRange]), viaFile.tensors.map((t) => [t.name, t.shape, t.byteRange]));
    } finally {
      await local.close();
      await source.close();
    }
  });

  it('opens a non-file checkpoint in the custom editor', async () => {
    assert.ok(memFs, 'the memory file system of the previous test is not registered');
    const uri = vscode.Uri.from({ scheme: MEM_SCHEME, path: '/sample.pth' });
    const doc = CheckpointDocument.open(uri);
    await doc.ready;
    try {
      assert.equal(doc.view?.kind, 'checkpoint', doc.view?.kind === 'error' ? doc.view.message : '');
    } finally {
      doc.dispose();
    }
    void vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
    assert.equal((await activeCustomTab(uri)).viewType, VIEW_TYPE);
  });

  it('refreshes the view when torch rewrites the file on disk', async () => {
    const { dir, cleanup } = tempDir('editor-refresh-');
    try {
      const file = join(dir, 'changing.pth');
      const write = `
import json, sys, torch
n = int(sys.argv[2])
torch.save({f"layer{i}.weight": torch.randn(4, 3) for i in range(n)}, sys.argv[1])
print(json.dumps(len(torch.load(sys.argv[1]))))
`;
      const before = await runPythonJson<number>(write, [file, '3']);
      const doc = CheckpointDocument.open(vscode.Uri.file(file));
      await doc.ready;
      try {
        assert.equal(doc.view?.kind === 'checkpoint' && doc.view.tensorCount, before);
        const refreshed = nextView(doc);
        const after = await runPythonJson<number>(write, [file, '5']);
        const view = await refreshed;
        assert.equal(view.kind === 'checkpoint' && view.tensorCount, after);
        assert.equal(doc.tensor('layer4.weight')?.shape.join('x'), '4x3');
      } finally {
        doc.dispose();
      }
    } finally {
      cleanup();
    }
  });

  it('turns a truncated file into an error view with the offset, and the host keeps working', async () => {
    const { dir, cleanup } = tempDir('editor-truncated-');
    try {
      const bytes = readFileSync(samplePath());
      const file = join(dir, 'truncated.pth');
      writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
      const doc = CheckpointDocument.open(vscode.Uri.file(file));
      await doc.ready;
      try {
        const view = doc.view;
        assert.ok(view, 'no view after loading');
        assert.equal(view.kind, 'error');
        assert.ok(view.kind === 'error' && view.message.includes(file), `message does not name the file: ${view.kind === 'error' ? view.message : ''}`);
        assert.ok(view.kind === 'error' && view.errorName !== 'Error', 'the error is not a typed core error');
      } finally {
        doc.dispose();
      }
      void vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), VIEW_TYPE);
      assert.equal((await activeCustomTab(vscode.Uri.file(file))).viewType, VIEW_TYPE);
      void vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(samplePath()), VIEW_TYPE);
      assert.equal((await activeCustomTab(vscode.Uri.file(samplePath()))).viewType, VIEW_TYPE);
      assert.ok(vscode.extensions.getExtension('ssast-tools.ssast-hf-ast')?.isActive, 'the extension was deactivated');
    } finally {
      cleanup();
    }
  });
});
