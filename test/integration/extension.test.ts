// Runs inside the real extension host: the extension is installed from this folder, activates, and
// contributes what package.json promises (custom editor, palette command).
import * as assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'ssast-tools.ssast-hf-ast';
const EDITOR_VIEW_TYPE = 'astCheckpoints.checkpointEditor';

function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this extension host`);
  return ext;
}

function samplePth(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace folder is not open');
  const name = readdirSync(folder.uri.fsPath).find((n) => n.endsWith('.pth'));
  assert.ok(name, `no .pth fixture in ${folder.uri.fsPath}`);
  return vscode.Uri.file(join(folder.uri.fsPath, name));
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('extension host', () => {
  it('runs in the VS Code version package.json targets', () => {
    const engine = (extension().packageJSON as { engines: { vscode: string } }).engines.vscode;
    const [major, minor] = vscode.version.split('.').map(Number);
    const [wantMajor, wantMinor] = engine.replace(/^\^/, '').split('.').map(Number);
    assert.ok(major! > wantMajor! || (major === wantMajor && minor! >= wantMinor!), `VS Code ${vscode.version} does not satisfy ${engine}`);
  });

  it('activates the extension', async () => {
    const ext = extension();
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  it('registers the Convert to HF AST command', async () => {
    await extension().activate();
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('astCheckpoints.convertToHfAst'), 'astCheckpoints.convertToHfAst is not a registered command');
  });

  it('opens a .pth checkpoint in the custom editor by default', async () => {
    const uri = samplePth();
    // Not awaited: if the editor never resolves, the wait below fails with a clear message instead.
    void vscode.commands.executeCommand('vscode.open', uri);
    const tab = await waitFor('a custom editor tab for the sample', () => {
      const active = vscode.window.tabGroups.activeTabGroup.activeTab;
      return active?.input instanceof vscode.TabInputCustom ? active.input : undefined;
    });
    assert.equal(tab.viewType, EDITOR_VIEW_TYPE);
    assert.equal(tab.uri.fsPath, uri.fsPath);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
