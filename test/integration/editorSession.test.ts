// The editor's request protocol inside the real extension host: every request gets exactly one answer
// (body or error), statistics stream progress and stop when cancelled, copy reaches VS Code's clipboard.
// The webview side is replaced by a panel double that records what the session posts.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { CheckpointDocument } from '../../src/extension/editor/checkpointDocument';
import { EditorSession } from '../../src/extension/editor/editorSession';
import type { HostRequest, HostToWebview, StatisticsView, WebviewToHost } from '../../src/protocol/messages';
import { runPythonJson, tempDir } from '../helpers/torch';

/** Stands in for the webview: delivers messages to the session and records its answers. */
class PanelDouble {
  readonly posted: HostToWebview[] = [];
  private readonly incoming = new vscode.EventEmitter<WebviewToHost>();
  private readonly viewState = new vscode.EventEmitter<void>();
  visible = true;
  readonly onDidChangeViewState = this.viewState.event;
  readonly webview = {
    onDidReceiveMessage: this.incoming.event,
    postMessage: async (m: HostToWebview) => {
      this.posted.push(m);
      return true;
    },
  };
  send(m: WebviewToHost): void {
    this.incoming.fire(m);
  }
  /** Hiding a tab discards its webview page; showing it loads a new one, which says `ready` again. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    this.viewState.fire();
  }
  async answer(requestId: number, timeoutMs = 60_000): Promise<Extract<HostToWebview, { type: 'response' }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.posted.find((m): m is Extract<HostToWebview, { type: 'response' }> => m.type === 'response' && m.requestId === requestId);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`request ${requestId} got no answer within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

describe('checkpoint editor protocol', () => {
  const tmp = tempDir('editor-session-');
  const file = join(tmp.dir, 'big.pth');
  let doc: CheckpointDocument;
  let panel: PanelDouble;
  let session: EditorSession;
  let torch: { small: { min: number; max: number; mean: number; std: number } };
  let nextId = 1;
  const request = (r: HostRequest) => {
    const requestId = nextId++;
    panel.send({ type: 'request', requestId, request: r });
    return requestId;
  };

  before(async () => {
    // One tensor large enough that its statistics take a while (64 Mi float32 = 256 MiB), one small.
    torch = await runPythonJson(`
import json, sys, torch
torch.manual_seed(0)
big = torch.randn(64 * 1024 * 1024)
small = torch.randn(1000, 3)
torch.save({"big": big, "small": small}, sys.argv[1])
s = small.double()
print(json.dumps({"small": {"min": s.min().item(), "max": s.max().item(), "mean": s.mean().item(), "std": s.std().item()}}))`, [file]);
    doc = CheckpointDocument.open(vscode.Uri.file(file));
    await doc.ready;
    panel = new PanelDouble();
    session = new EditorSession(doc, panel as unknown as vscode.WebviewPanel);
  });

  after(() => {
    session?.dispose();
    doc?.dispose();
    tmp.cleanup();
  });

  it('answers ready with the document view', async () => {
    panel.send({ type: 'ready' });
    const init = panel.posted.find((m) => m.type === 'init');
    assert.ok(init && init.type === 'init' && init.view.kind === 'checkpoint');
    assert.equal(init.view.kind === 'checkpoint' && init.view.packedRows.count, 2);
  });

  it('sends a row to reveal after the view, and holds it while the webview is hidden until it is ready again', () => {
    session.revealTensor('small');
    assert.deepEqual(panel.posted.at(-1), { type: 'reveal', tensor: 'small' });
    assert.equal(panel.posted.at(-2)?.type, 'init', 'the view the row is in came first');
    panel.setVisible(false);
    session.revealTensor('big');
    assert.equal(panel.posted.filter((m) => m.type === 'reveal').length, 1, 'nothing is sent to a hidden webview');
    panel.setVisible(true);
    panel.send({ type: 'ready' });
    assert.deepEqual(panel.posted.slice(-2).map((m) => m.type), ['init', 'reveal']);
    assert.deepEqual(panel.posted.at(-1), { type: 'reveal', tensor: 'big' });
  });

  it('computes statistics equal to torch', async () => {
    const reply = await panel.answer(request({ kind: 'statistics', tensor: 'small', bins: 16 }));
    assert.ok(reply.ok, reply.ok ? '' : reply.error);
    const stats = reply.body as StatisticsView;
    for (const k of ['min', 'max', 'mean', 'std'] as const) {
      assert.ok(Math.abs(stats[k] - torch.small[k]) <= 1e-6 * Math.max(1, Math.abs(torch.small[k])), `${k}: ${stats[k]} vs torch ${torch.small[k]}`);
    }
    assert.equal(stats.histogram.counts.reduce((a, b) => a + b, 0), 3000);
  });

  it('streams progress for a large tensor and stops when cancelled', async () => {
    const id = request({ kind: 'statistics', tensor: 'big', bins: 64 });
    const deadline = Date.now() + 60_000;
    while (!panel.posted.some((m) => m.type === 'progress' && m.requestId === id)) {
      if (Date.now() > deadline) throw new Error('no progress within 60 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    panel.send({ type: 'cancel', requestId: id });
    const reply = await panel.answer(id);
    assert.equal(reply.ok, false);
    assert.equal(!reply.ok && reply.cancelled, true);
    const progress = panel.posted.filter((m): m is Extract<HostToWebview, { type: 'progress' }> => m.type === 'progress' && m.requestId === id);
    assert.ok(progress.at(-1)!.done < progress.at(-1)!.total, 'the statistics ran to the end despite the cancel');
  });

  it('answers a request for a tensor that does not exist with an error naming it', async () => {
    const reply = await panel.answer(request({ kind: 'statistics', tensor: 'nope', bins: 8 }));
    assert.equal(reply.ok, false);
    assert.match(!reply.ok ? reply.error : '', /no tensor named nope/);
  });

  it('copies text to the VS Code clipboard', async () => {
    const reply = await panel.answer(request({ kind: 'copy', text: 'module.v.pos_embed' }));
    assert.ok(reply.ok);
    assert.equal(await vscode.env.clipboard.readText(), 'module.v.pos_embed');
  });
});
