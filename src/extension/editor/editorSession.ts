import * as vscode from 'vscode';
import { tensorStatistics } from '../../core/tensors/statistics';
import { toWire } from '../../protocol/packedRows';
import type {
  DocumentView,
  DocumentViewWire,
  HostRequest,
  HostRequestKind,
  HostResponses,
  HostToWebview,
  StatisticsView,
  WebviewToHost,
} from '../../protocol/messages';
import type { CheckpointDocument } from './checkpointDocument';

const CONVERT_COMMAND = 'astCheckpoints.convertToHfAst';

/** Packed once per view, however many panels show the document or how often a panel reloads. */
const wireCache = new WeakMap<DocumentView, DocumentViewWire>();
function wireOf(view: DocumentView): DocumentViewWire {
  let wire = wireCache.get(view);
  if (!wire) wireCache.set(view, (wire = toWire(view)));
  return wire;
}
/** Progress messages per second while statistics stream: enough for a smooth bar, cheap to clone. */
const PROGRESS_INTERVAL_MS = 100;

/**
 * One webview panel showing a document: answers every request exactly once (body or error),
 * aborts its running reads when the panel closes or the file is reloaded underneath.
 */
export class EditorSession implements vscode.Disposable {
  private readonly jobs = new Map<number, AbortController>();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The webview said `ready` and has not been hidden since (hiding discards its page). */
  private webviewReady = false;
  /** A row to select once the webview shows the checkpoint. */
  private pendingReveal: string | undefined;

  constructor(
    private readonly document: CheckpointDocument,
    private readonly panel: vscode.WebviewPanel,
  ) {
    this.subscriptions.push(
      panel.webview.onDidReceiveMessage((m: WebviewToHost) => this.receive(m)),
      document.onWillReload(() => this.abortAll('the file changed on disk')),
      document.onDidChangeView((view) => {
        this.post({ type: 'init', view: wireOf(view), reason: 'changed' });
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
    this.abortAll('the editor closed');
    for (const s of this.subscriptions) s.dispose();
  }

  private receive(message: WebviewToHost): void {
    try {
      switch (message.type) {
        case 'ready': {
          this.webviewReady = true;
          const view = this.document.view;
          // Still reading: the first view follows through onDidChangeView.
          if (view) this.post({ type: 'init', view: wireOf(view), reason: 'open' });
          else this.post({ type: 'loading', file: this.document.file });
          this.flushReveal();
          return;
        }
        case 'cancel':
          this.jobs.get(message.requestId)?.abort();
          return;
        case 'request':
          void this.answer(message.requestId, message.request);
          return;
      }
    } catch (err) {
      console.error('checkpoint editor: bad webview message', err);
    }
  }

  private async answer(requestId: number, request: HostRequest): Promise<void> {
    const controller = new AbortController();
    this.jobs.set(requestId, controller);
    try {
      const body = await this.perform(requestId, request, controller.signal);
      this.post({ type: 'response', requestId, ok: true, body });
    } catch (err) {
      const cancelled = controller.signal.aborted;
      const reason = cancelled ? String(controller.signal.reason ?? 'cancelled') : err instanceof Error ? err.message : String(err);
      this.post({ type: 'response', requestId, ok: false, error: reason, cancelled });
    } finally {
      this.jobs.delete(requestId);
    }
  }

  private async perform(
    requestId: number,
    request: HostRequest,
    signal: AbortSignal,
  ): Promise<HostResponses[HostRequestKind]> {
    switch (request.kind) {
      case 'statistics':
        return this.statistics(requestId, request.tensor, request.bins, signal);
      case 'copy':
        await vscode.env.clipboard.writeText(request.text);
        return null;
      case 'convert':
        // The command asks its own questions; answer as soon as it started, report its failure itself.
        Promise.resolve(vscode.commands.executeCommand(CONVERT_COMMAND, this.document.uri)).then(undefined, (err: unknown) =>
          vscode.window.showErrorMessage(`Convert to HF AST failed: ${err instanceof Error ? err.message : String(err)}`),
        );
        return null;
      case 'reload':
        // Re-reading a large file can outlast the request bound; the new view follows as `init`.
        void this.document.reload();
        return null;
    }
  }

  private async statistics(requestId: number, name: string, bins: number, signal: AbortSignal): Promise<StatisticsView> {
    const tensor = this.document.tensor(name);
    const source = this.document.source;
    if (!tensor || !source) throw new Error(`${this.document.uri.fsPath}: no tensor named ${name}`);
    let lastProgress = 0;
    const stats = await tensorStatistics(source, tensor, {
      bins,
      signal,
      onProgress: (done, total) => {
        const now = Date.now();
        if (now - lastProgress < PROGRESS_INTERVAL_MS && done < total) return;
        lastProgress = now;
        this.post({ type: 'progress', requestId, done, total });
      },
    });
    return {
      count: stats.count,
      min: stats.min,
      max: stats.max,
      mean: stats.mean,
      std: stats.std,
      nanCount: stats.nanCount,
      posInfCount: stats.posInfCount,
      negInfCount: stats.negInfCount,
      histogram: { min: stats.histogram.min, max: stats.histogram.max, counts: [...stats.histogram.counts] },
    };
  }

  private flushReveal(): void {
    if (this.pendingReveal === undefined || !this.webviewReady || this.document.view?.kind !== 'checkpoint') return;
    this.post({ type: 'reveal', tensor: this.pendingReveal });
    this.pendingReveal = undefined;
  }

  private abortAll(reason: string): void {
    for (const job of this.jobs.values()) job.abort(reason);
  }

  private post(message: HostToWebview): void {
    // A panel closed mid-request rejects; nothing is waiting for the answer any more.
    this.panel.webview.postMessage(message).then(undefined, () => undefined);
  }
}
