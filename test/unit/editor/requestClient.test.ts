import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostToWebview, WebviewToHost } from '../../../src/protocol/messages';
import { RequestClient, RequestFailedError } from '../../../src/protocol/requestClient';

describe('webview request client', () => {
  it('resolves a request with the body of its response', async () => {
    const sent: WebviewToHost[] = [];
    const client = new RequestClient((m) => sent.push(m));
    const handle = client.request({ kind: 'copy', text: 'x' });
    assert.deepEqual(sent[0], { type: 'request', requestId: handle.requestId, request: { kind: 'copy', text: 'x' } });
    client.handle({ type: 'response', requestId: handle.requestId, ok: true, body: null });
    assert.equal(await handle.result, null);
    assert.equal(client.openRequests, 0);
  });

  it('rejects with the host error message', async () => {
    const client = new RequestClient(() => undefined);
    const handle = client.request({ kind: 'reload' });
    client.handle({ type: 'response', requestId: handle.requestId, ok: false, error: 'f.pth: truncated (at byte 12)' });
    await assert.rejects(handle.result, /truncated \(at byte 12\)/);
  });

  it('fails a request nobody answers within its bound', async () => {
    const client = new RequestClient(() => undefined, () => 30);
    const handle = client.request({ kind: 'convert' });
    await assert.rejects(handle.result, (err: unknown) => err instanceof RequestFailedError && /no answer within/.test(err.message));
    assert.equal(client.openRequests, 0);
  });

  it('restarts the bound on progress, reports it, and cancels on request', async () => {
    const sent: WebviewToHost[] = [];
    const progress: number[] = [];
    const client = new RequestClient((m) => sent.push(m), () => 60);
    const handle = client.request({ kind: 'statistics', tensor: 't', bins: 8 }, (done) => progress.push(done));
    for (const done of [1, 2, 3]) {
      await new Promise((r) => setTimeout(r, 40));
      const msg: HostToWebview = { type: 'progress', requestId: handle.requestId, done, total: 4 };
      client.handle(msg);
    }
    assert.deepEqual(progress, [1, 2, 3]);
    handle.cancel();
    await assert.rejects(handle.result, (err: unknown) => err instanceof RequestFailedError && err.cancelled);
    assert.deepEqual(sent.at(-1), { type: 'cancel', requestId: handle.requestId });
    // A late answer for a settled request is ignored.
    client.handle({ type: 'response', requestId: handle.requestId, ok: true, body: null });
  });

  it('fails everything open when the document reloads', async () => {
    const client = new RequestClient(() => undefined);
    const a = client.request({ kind: 'copy', text: 'a' });
    const b = client.request({ kind: 'convert' });
    client.failAll('the file was reloaded');
    await assert.rejects(a.result, /reloaded/);
    await assert.rejects(b.result, /reloaded/);
  });
});
