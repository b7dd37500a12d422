import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { ByteSource } from '../../core/io/byteSource';
import {
  readerTimeoutMs,
  type HostToWorker,
  type ReaderRequest,
  type ReaderRequestKind,
  type ReaderResponses,
  type SourceRequest,
  type SourceResponses,
} from '../../protocol/readerMessages';
import { RequestClient, RequestServer, type RequestHandle } from '../../protocol/rpc';

/** How long a request the host gave up on may keep the worker busy before the worker is replaced. */
const ABANDON_GRACE_MS = 5_000;

/**
 * The extension host's handle on its reading worker (dist/worker.js). Started on the first request,
 * never before: activation reads nothing. When the worker dies (a crash, running out of memory, or
 * replaced because it ignored a cancel) every open request fails with code `worker-crashed`,
 * `onDidStop` fires, and the next request starts a fresh worker.
 */
export class ReadingWorker implements vscode.Disposable {
  private worker: Worker | undefined;
  private client: RequestClient<ReaderRequest, ReaderResponses> | undefined;
  private readonly sources = new Map<number, ByteSource>();
  private readonly abandoned = new Map<number, ReturnType<typeof setTimeout>>();
  private readonly stopped = new vscode.EventEmitter<string>();
  private nextSourceId = 1;
  private nextDocumentId = 1;
  private disposed = false;

  /** Fires with the reason after the worker died; documents it held must be read again. */
  readonly onDidStop = this.stopped.event;

  constructor(private readonly script: string) {}

  /** The worker of the extension installed at `extensionPath`. */
  static forExtension(extensionPath: string): ReadingWorker {
    return new ReadingWorker(join(extensionPath, 'dist', 'worker.js'));
  }

  /** A fresh id for a document whose file the worker keeps open between requests. */
  newDocumentId(): number {
    return this.nextDocumentId++;
  }

  request<K extends ReaderRequestKind>(request: Extract<ReaderRequest, { kind: K }>, onProgress?: (done: number, total: number) => void): RequestHandle<ReaderResponses[K]> {
    if (this.disposed) throw new Error('the reading worker was shut down with the extension');
    return this.start().request(request, onProgress);
  }

  /** Lets the worker read `source` (one the worker cannot open itself) by range requests; returns its id. */
  registerSource(source: ByteSource): vscode.Disposable & { readonly sourceId: number } {
    const sourceId = this.nextSourceId++;
    this.sources.set(sourceId, source);
    return { sourceId, dispose: () => this.sources.delete(sourceId) };
  }

  /** Ends the worker now (its requests fail as after a crash). */
  async terminate(): Promise<void> {
    await this.worker?.terminate();
  }

  dispose(): void {
    this.disposed = true;
    void this.worker?.terminate();
    this.stopped.dispose();
    for (const timer of this.abandoned.values()) clearTimeout(timer);
  }

  private start(): RequestClient<ReaderRequest, ReaderResponses> {
    if (this.worker && this.client) return this.client;
    const worker = new Worker(this.script, { name: 'checkpoint-reader' });
    const post = (message: HostToWorker, transfer?: readonly ArrayBuffer[]): void => worker.postMessage(message, transfer ? [...transfer] : undefined);
    const client = new RequestClient<ReaderRequest, ReaderResponses>(post, readerTimeoutMs, (requestId) => this.watchAbandoned(requestId, worker));
    const reads = new RequestServer<SourceRequest, SourceResponses>(post, {
      read: async ({ sourceId, offset, length }, { transfer }) => {
        const source = this.sources.get(sourceId);
        if (!source) throw new Error(`source ${sourceId} is closed`);
        // A copy: the source's bytes may be a view of a larger buffer that must stay here.
        const bytes = (await source.read(offset, length)).slice();
        transfer([bytes.buffer as ArrayBuffer]);
        return bytes;
      },
    });
    let stderr = '';
    worker.on('message', (message: { readonly type: string; readonly requestId?: number }) => {
      if (message.type === 'response' && message.requestId !== undefined) this.forgetAbandoned(message.requestId);
      if (!reads.handle(message)) client.handle(message);
    });
    worker.on('error', (err) => {
      stderr = err.message;
    });
    worker.on('exit', (exitCode) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.client = undefined;
      for (const requestId of [...this.abandoned.keys()]) this.forgetAbandoned(requestId);
      const reason = `the reading worker stopped (${stderr || `exit code ${exitCode}`})`;
      client.failAll(reason, 'worker-crashed');
      if (!this.disposed) this.stopped.fire(reason);
    });
    this.worker = worker;
    this.client = client;
    return client;
  }

  /** A request the host gave up on: if the worker is still busy with it after a grace period, replace the worker. */
  private watchAbandoned(requestId: number, worker: Worker): void {
    this.abandoned.set(
      requestId,
      setTimeout(() => {
        this.abandoned.delete(requestId);
        if (this.worker === worker) void worker.terminate();
      }, ABANDON_GRACE_MS),
    );
  }

  private forgetAbandoned(requestId: number): void {
    clearTimeout(this.abandoned.get(requestId));
    this.abandoned.delete(requestId);
  }
}
