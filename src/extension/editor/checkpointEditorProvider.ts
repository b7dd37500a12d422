import * as vscode from 'vscode';
import type { ExtensionRegistry } from '../registry';
import { CheckpointDocument } from './checkpointDocument';
import { EditorSession } from './editorSession';
import { webviewHtml, webviewRoots } from './webviewHtml';

/** Both contributed view types: `.pth/.pt/.ckpt` by default, `.bin/.safetensors` on request. */
export const CHECKPOINT_VIEW_TYPES = ['astCheckpoints.checkpointEditor', 'astCheckpoints.checkpointEditor.optional'] as const;

/** Read-only custom editor: the host owns the file; the webview renders what it is sent. */
export class CheckpointEditorProvider implements vscode.CustomReadonlyEditorProvider<CheckpointDocument> {
  static register(context: vscode.ExtensionContext, registry: ExtensionRegistry): void {
    const provider = new CheckpointEditorProvider(context.extensionUri, registry);
    for (const viewType of CHECKPOINT_VIEW_TYPES) {
      context.subscriptions.push(
        vscode.window.registerCustomEditorProvider(viewType, provider, { supportsMultipleEditorsPerDocument: true }),
      );
    }
  }

  private constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly registry: ExtensionRegistry,
  ) {}

  openCustomDocument(uri: vscode.Uri): CheckpointDocument {
    return CheckpointDocument.open(uri, this.registry.reader);
  }

  resolveCustomEditor(document: CheckpointDocument, panel: vscode.WebviewPanel): void {
    panel.webview.options = { enableScripts: true, localResourceRoots: webviewRoots(this.extensionUri) };
    const session = new EditorSession(document, panel);
    const tracking = this.registry.activeEditor.track(panel);
    const revealing = this.registry.panels.trackPanel(document.uri, panel, (tensor) => session.revealTensor(tensor));
    panel.onDidDispose(() => {
      session.dispose();
      tracking.dispose();
      revealing.dispose();
    });
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri);
  }
}
