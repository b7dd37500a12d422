import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestTimeoutMs, type HostRequest, type HostResponses, type HostToWebview, type WebviewToHost } from '../../../src/protocol/messages';
import { ZipFormatError } from '../../../src/core/errors';
import { RequestClient, RequestFailedError, RequestServer, type RequestContext, type RequestHandlers, type ServerMessage } from '../../../src/protocol/rpc';

/** The webview's client: host requests, their bounds. */
function webviewClient(post: (m: WebviewToHost) => void, timeoutFor: (kind: HostRequest['kind']) => number = requestTimeoutMs) {
  return new RequestClient<HostRequest, HostResponses>(post, timeoutFor);
}

describe('request client (webview side)', () => {
  it('resolves a request with the body of its response', async () => {
    const sent: WebviewToHost[] = [];
    const client = webviewClient((m) => sent.push(m));
    const handle = client.request({ kind: 'copy', text: 'x' });
    assert.deepEqual(sent[0], { type: 'request', requestId: handle.requestId, request: { kind: 'copy', text: 'x' } });
    client.handle({ type: 'response', requestId: handle.requestId, ok: true, body: null });
    assert.equal(await handle.result, null);
    assert.equal(client.openRequests, 0);
  });

  it('rejects with the host error message', async () => {
    const client = webviewClient(() => undefined);
    const handle = client.request({ kind: 'reload' });
    client.handle({ type: 'response', requestId: handle.requestId, ok: false, error: 'f.pth: truncated (at byte 12)' });
    await assert.rejects(handle.result, /truncated \(at byte 12\)/);
  });

  it('fails a request nobody answers within its bound', async () => {
    const client = webviewClient(() => undefined, () => 30);
    const handle = client.request({ kind: 'convert' });
    await assert.rejects(handle.result, (err: unknown) => err instanceof RequestFailedError && /no answer within/.test(err.message));
    assert.equal(client.openRequests, 0);
  });

  it('restarts the bound on progress, reports it, and cancels on request', async () => {
    const sent: WebviewToHost[] = [];
    const progress: number[] = [];
    const client = webviewClient((m) => sent.push(m), () => 60);
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
    const client = webviewClient(() => undefined);
    const a = client.request({ kind: 'copy', text: 'a' });
    const b = client.request({ kind: 'convert' });
    client.failAll('the file was reloaded');
    await assert.rejects(a.result, /reloaded/);
    await assert.rejects(b.result, /reloaded/);
  });
});

/** A tiny request set of its own: the protocol is generic over what is asked. */
type EchoRequest = { readonly kind: 'echo'; readonly text: string } | { readonly kind: 'wait' } | { readonly kind: 'bytes'; readonly n: number };
interface EchoResponses {
  readonly echo: string;
  readonly wait: null;
  readonly bytes: Uint8Array;
}

/** A client and a server joined back to back, recording what the server posts and transfers. */
function pair(handlers: RequestHandlers<EchoRequest, EchoResponses>, timeoutMs = 1000) {
  const transfers: (readonly ArrayBuffer[] | undefined)[] = [];
  const toClient: ServerMessage<unknown>[] = [];
  const joined: { client?: RequestClient<EchoRequest, EchoResponses> } = {};
  const server = new RequestServer<EchoRequest, EchoResponses>((m, transfer) => {
    toClient.push(m);
    transfers.push(transfer);
    joined.client!.handle(m);
  }, handlers);
  const client = new RequestClient<EchoRequest, EchoResponses>((m) => server.handle(m), () => timeoutMs);
  joined.client = client;
  return { client, server, transfers, toClient };
}

describe('request server', () => {
  const never = (_: unknown, { signal }: RequestContext) => new Promise<null>((_r, reject) => signal.addEventListener('abort', () => reject(new Error('stopped'))));

  it('answers each request with its handler body, passing the transfer list on', async () => {
    const { client, transfers } = pair({ echo: ({ text }) => text.toUpperCase(), wait: never, bytes: ({ n }, { transfer }) => {
      const b = new Uint8Array(n).fill(7);
      transfer([b.buffer]);
      return b;
    } });
    assert.equal(await client.request({ kind: 'echo', text: 'abc' }).result, 'ABC');
    const bytes = await client.request({ kind: 'bytes', n: 3 }).result;
    assert.deepEqual([...bytes], [7, 7, 7]);
    assert.equal(transfers.at(-1)?.[0], bytes.buffer, 'the answer named its buffer for transfer');
  });

  it('sends a thrown error as its message and ErrorShape code', async () => {
    const { client, toClient } = pair({ echo: () => { throw new ZipFormatError('f.pth', 'bad record', { offset: 12 }); }, wait: never, bytes: () => new Uint8Array() });
    await assert.rejects(client.request({ kind: 'echo', text: '' }).result, (err: unknown) => err instanceof RequestFailedError && err.code === 'zip-format' && /bad record \(at byte 12\)/.test(err.message));
    const reply = toClient.at(-1);
    assert.ok(reply?.type === 'response' && !reply.ok);
    assert.deepEqual(reply.shape, { name: 'ZipFormatError', code: 'zip-format', message: 'f.pth: bad record (at byte 12)', file: 'f.pth', offset: 12 });
  });

  it('aborts the handler when the client cancels, and answers cancelled', async () => {
    let aborted = false;
    const { client, server, toClient } = pair({
      echo: () => '',
      wait: (_r, { signal }) => new Promise<null>((_resolve, reject) => signal.addEventListener('abort', () => { aborted = true; reject(new Error('stopped')); })),
      bytes: () => new Uint8Array(),
    });
    const handle = client.request({ kind: 'wait' });
    assert.equal(server.runningRequests, 1);
    handle.cancel();
    await assert.rejects(handle.result, (err: unknown) => err instanceof RequestFailedError && err.cancelled);
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(aborted, true);
    assert.equal(server.runningRequests, 0);
    const reply = toClient.at(-1);
    assert.ok(reply?.type === 'response' && !reply.ok && reply.cancelled === true);
  });

  it('stops the work of a request the client gave up on (timeout)', async () => {
    let aborted = false;
    const { client, server } = pair({
      echo: () => '',
      wait: (_r, { signal }) => new Promise<null>((_resolve, reject) => signal.addEventListener('abort', () => { aborted = true; reject(new Error('stopped')); })),
      bytes: () => new Uint8Array(),
    }, 30);
    await assert.rejects(client.request({ kind: 'wait' }).result, (err: unknown) => err instanceof RequestFailedError && err.code === 'timeout');
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(aborted, true);
    assert.equal(server.runningRequests, 0);
  });

  it('fails a request of a kind it has no handler for, naming the kind', async () => {
    const { client } = pair({ echo: () => '', wait: never, bytes: () => new Uint8Array() });
    const handle = client.request({ kind: 'nope' } as unknown as EchoRequest);
    await assert.rejects(handle.result, (err: unknown) => err instanceof RequestFailedError && err.code === 'bad-request' && /"nope"/.test(err.message));
  });
});
