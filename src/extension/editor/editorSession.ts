import * as vscode from 'vscode';
import type { DocumentViewWire, HostRequest, HostResponses, HostToWebview, WebviewToHost } from '../../protocol/messages';
import { RequestServer } from '../../protocol/rpc';
import type { CheckpointDocument } from './checkpointDocument';

const CONVERT_COMMAND = 'astCheckpoints.convertToHfAst';

/**
 * One webview panel showing a document: answers every request exactly once (body or error),
 * aborts its running requests (and so the worker's work) when the panel closes or the file is
 * reloaded underneath.
 */
export class EditorSession implements vscode.Disposable {
  private readonly requests: RequestServer<HostRequest, HostResponses>;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The webview said `ready` and has not been hidden since (hiding discards its page). */
  private webviewReady = false;
  /** A row to select once the webview shows the checkpoint. */
  private pendingReveal: string | undefined;

  constructor(
    private readonly document: CheckpointDocument,
    private readonly panel: vscode.WebviewPanel,
  ) {
    this.requests = new RequestServer<HostRequest, HostResponses>((m) => this.post(m), {
      statistics: ({ tensor, bins }, { signal, progress }) => document.statistics(tensor, bins, signal, progress),
      copy: async ({ text }) => {
        await vscode.env.clipboard.writeText(text);
        return null;
      },
      convert: () => {
        // The command asks its own questions; answer as soon as it started, report its failure itself.
        Promise.resolve(vscode.commands.executeCommand(CONVERT_COMMAND, document.uri)).then(undefined, (err: unknown) =>
          vscode.window.showErrorMessage(`Convert to HF AST failed: ${err instanceof Error ? err.message : String(err)}`),
        );
        return null;
      },
      reload: async () => {
        // The new view follows as `init` either way; the answer says whether reading it worked.
        const view = await document.reload();
        if (view?.kind === 'error') throw new Error(`reload failed: ${view.message}`);
        return null;
      },
    });
    this.subscriptions.push(
      panel.webview.onDidReceiveMessage((m: WebviewToHost) => this.receive(m)),
      document.onWillReload(() => this.requests.abortAll('the file changed on disk')),
      document.onDidChangeView((view) => {
        this.post({ type: 'init', view, reason: 'changed' });
        this.flushReveal();
      }),
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.webviewReady = false;
      }),
    );
  }

  /** Selects, scrolls to and focuses `tensor`'s row: now, or once the webview (re)loaded the checkpoint. */
  revealTensor(tensor: string): void {
    this.pendingReveal = tensor;
    this.flushReveal();
  }

  dispose(): void {
    this.requests.abortAll('the editor closed');
    for (const s of this.subscriptions) s.dispose();
  }

  private receive(message: WebviewToHost): void {
    try {
      if (message.type !== 'ready') {
        this.requests.handle(message);
        return;
      }
      this.webviewReady = true;
      const view: DocumentViewWire | undefined = this.document.view;
      // Still reading: the first view follows through onDidChangeView.
      if (view) this.post({ type: 'init', view, reason: 'open' });
      else this.post({ type: 'loading', file: this.document.file });
      this.flushReveal();
    } catch (err) {
      console.error('checkpoint editor: bad webview message', err);
    }
  }

  private flushReveal(): void {
    if (this.pendingReveal === undefined || !this.webviewReady || this.document.view?.kind !== 'checkpoint') return;
    this.post({ type: 'reveal', tensor: this.pendingReveal });
    this.pendingReveal = undefined;
  }

  private post(message: HostToWebview): void {
    // A panel closed mid-request rejects; nothing is waiting for the answer any more.
    this.panel.webview.postMessage(message).then(undefined, () => undefined);
  }
}
