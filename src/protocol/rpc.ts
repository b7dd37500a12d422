/**
 * The one request/reply/progress/cancel protocol: between the extension host and a webview, and
 * between the extension host and its reading worker. Every request carries a `requestId` and is
 * settled exactly once on the client (answer, error, cancellation or timeout); the server runs
 * each request with an AbortSignal that a `cancel` (or the client giving up) aborts. Errors travel
 * as an ErrorShape beside their message, so every side sees the same `code`.
 */
import { errorShape, type ErrorShape } from '../core/errors';

/** A request union: each member names its kind. */
export interface KindedRequest {
  readonly kind: string;
}

export interface RequestMessage<R extends KindedRequest> {
  readonly type: 'request';
  readonly requestId: number;
  readonly request: R;
}
export interface CancelMessage {
  readonly type: 'cancel';
  readonly requestId: number;
}
export interface ProgressMessage {
  readonly type: 'progress';
  readonly requestId: number;
  readonly done: number;
  readonly total: number;
}
export type ResponseMessage<B> =
  | { readonly type: 'response'; readonly requestId: number; readonly ok: true; readonly body: B }
  | { readonly type: 'response'; readonly requestId: number; readonly ok: false; readonly error: string; readonly shape?: ErrorShape; readonly cancelled?: boolean };

/** What a client sends, and what a server answers with. */
export type ClientMessage<R extends KindedRequest> = RequestMessage<R> | CancelMessage;
export type ServerMessage<B> = ProgressMessage | ResponseMessage<B>;

/** Objects whose memory moves with a message instead of being copied (worker ports only). */
export type Transfer = readonly ArrayBuffer[];

/** Codes the protocol itself gives failures (the ErrorShape codes of other layers pass through as they are). */
export type ProtocolErrorCode = 'request-failed' | 'timeout' | 'cancelled' | 'bad-request' | 'worker-crashed' | 'superseded';

export class RequestFailedError extends Error {
  /** `code` of the ErrorShape the server sent, or one of ProtocolErrorCode from the client. */
  readonly code: string;

  constructor(message: string, readonly cancelled = false, code?: ProtocolErrorCode | string) {
    super(message);
    this.name = 'RequestFailedError';
    this.code = code ?? (cancelled ? 'cancelled' : 'request-failed');
  }
}

interface Pending {
  readonly kind: string;
  readonly resolve: (body: unknown) => void;
  readonly reject: (err: Error) => void;
  readonly onProgress?: (done: number, total: number) => void;
  timer: ReturnType<typeof setTimeout>;
}

export interface RequestHandle<T> {
  readonly requestId: number;
  readonly result: Promise<T>;
  cancel(): void;
}

/**
 * Numbers requests and settles each exactly once, so a caller never waits forever. `Res` maps each
 * request kind to the body its answer carries.
 */
export class RequestClient<R extends KindedRequest, Res extends { [K in R['kind']]: unknown }> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly post: (message: ClientMessage<R>) => void,
    private readonly timeoutFor: (kind: R['kind']) => number,
    /** Told when a request was given up (timeout): the server may still be busy with it. */
    private readonly onAbandoned?: (requestId: number, kind: R['kind']) => void,
  ) {}

  request<K extends R['kind']>(request: Extract<R, { kind: K }>, onProgress?: (done: number, total: number) => void): RequestHandle<Res[K]> {
    const requestId = this.nextId++;
    const result = new Promise<Res[K]>((resolve, reject) => {
      this.pending.set(requestId, {
        kind: request.kind,
        resolve: resolve as (body: unknown) => void,
        reject,
        onProgress,
        timer: this.startTimer(requestId, request.kind),
      });
    });
    try {
      this.post({ type: 'request', requestId, request });
    } catch (err) {
      this.settle(requestId, new RequestFailedError(`could not send ${request.kind} request: ${String(err)}`));
    }
    return {
      requestId,
      result,
      cancel: () => {
        if (!this.pending.has(requestId)) return;
        this.sendCancel(requestId);
        this.settle(requestId, new RequestFailedError(`${request.kind} cancelled`, true));
      },
    };
  }

  /** Feed every message from the server here (others too); returns true when it belonged to a request. */
  handle(message: ServerMessage<Res[R['kind']]> | { readonly type: string }): boolean {
    if (message.type === 'progress') {
      const m = message as ProgressMessage;
      const entry = this.pending.get(m.requestId);
      if (!entry) return true;
      clearTimeout(entry.timer);
      entry.timer = this.startTimer(m.requestId, entry.kind);
      entry.onProgress?.(m.done, m.total);
      return true;
    }
    if (message.type !== 'response') return false;
    const m = message as ResponseMessage<unknown>;
    if (m.ok) this.settle(m.requestId, undefined, m.body);
    else this.settle(m.requestId, new RequestFailedError(m.error, m.cancelled ?? false, m.shape?.code));
    return true;
  }

  /** Fails everything still open, e.g. when the document is reloaded under the view or the worker died. */
  failAll(reason: string, code?: string): void {
    for (const id of [...this.pending.keys()]) this.settle(id, new RequestFailedError(reason, false, code));
  }

  get openRequests(): number {
    return this.pending.size;
  }

  private sendCancel(requestId: number): void {
    try {
      this.post({ type: 'cancel', requestId });
    } catch {
      // The other side is gone: there is nothing left to stop.
    }
  }

  private startTimer(requestId: number, kind: R['kind']): ReturnType<typeof setTimeout> {
    const ms = this.timeoutFor(kind);
    return setTimeout(() => {
      // Giving up also stops the work: the server aborts the request's signal.
      this.sendCancel(requestId);
      this.settle(requestId, new RequestFailedError(`${kind} request got no answer within ${ms / 1000} s`, false, 'timeout'));
      this.onAbandoned?.(requestId, kind);
    }, ms);
  }

  private settle(requestId: number, error: Error | undefined, body?: unknown): void {
    const entry = this.pending.get(requestId);
    if (!entry) return;
    this.pending.delete(requestId);
    clearTimeout(entry.timer);
    if (error) entry.reject(error);
    else entry.resolve(body);
  }
}

/** What a request handler gets besides its request. */
export interface RequestContext {
  /** Aborted by a `cancel`, the client's timeout, or `abortAll`. */
  readonly signal: AbortSignal;
  progress(done: number, total: number): void;
  /** Buffers of the answer to move rather than copy (where the channel supports it). */
  transfer(buffers: Transfer): void;
}

/** One handler per request kind: a kind added to the union without a handler does not compile. */
export type RequestHandlers<R extends KindedRequest, Res extends { [K in R['kind']]: unknown }> = {
  readonly [K in R['kind']]: (request: Extract<R, { kind: K }>, context: RequestContext) => Promise<Res[K]> | Res[K];
};

/**
 * Answers every request exactly once (body or error), aborts a request's work on `cancel`, and
 * passes progress on. Errors are sent as their message plus ErrorShape.
 */
export class RequestServer<R extends KindedRequest, Res extends { [K in R['kind']]: unknown }> {
  private readonly jobs = new Map<number, AbortController>();

  constructor(
    private readonly post: (message: ServerMessage<Res[R['kind']]>, transfer?: Transfer) => void,
    private readonly handlers: RequestHandlers<R, Res>,
  ) {}

  /** Feed every message from the client here (others too); returns true when it was a request or a cancel. */
  handle(message: ClientMessage<R> | { readonly type: string }): boolean {
    if (message.type === 'cancel') {
      this.jobs.get((message as CancelMessage).requestId)?.abort('cancelled');
      return true;
    }
    if (message.type !== 'request') return false;
    const { requestId, request } = message as RequestMessage<R>;
    void this.answer(requestId, request);
    return true;
  }

  /** Stops every running request, e.g. when the file is reloaded under them or the editor closed. */
  abortAll(reason: string): void {
    for (const job of this.jobs.values()) job.abort(reason);
  }

  get runningRequests(): number {
    return this.jobs.size;
  }

  private async answer(requestId: number, request: R): Promise<void> {
    const controller = new AbortController();
    this.jobs.set(requestId, controller);
    let transfer: Transfer = [];
    const context: RequestContext = {
      signal: controller.signal,
      progress: (done, total) => {
        if (!controller.signal.aborted) this.send({ type: 'progress', requestId, done, total });
      },
      transfer: (buffers) => {
        transfer = buffers;
      },
    };
    try {
      const handler = this.handlers[request.kind as R['kind']] as unknown as ((r: R, c: RequestContext) => Promise<Res[R['kind']]> | Res[R['kind']]) | undefined;
      if (!handler) throw new RequestFailedError(`unknown request kind ${JSON.stringify(request.kind)}`, false, 'bad-request');
      const body = await handler(request, context);
      this.send({ type: 'response', requestId, ok: true, body }, transfer);
    } catch (err) {
      const cancelled = controller.signal.aborted;
      const shape = cancelled
        ? { name: 'RequestFailedError', code: 'cancelled', message: String(controller.signal.reason ?? 'cancelled') }
        : errorShape(err);
      this.send({ type: 'response', requestId, ok: false, error: shape.message, shape, cancelled });
    } finally {
      this.jobs.delete(requestId);
    }
  }

  private send(message: ServerMessage<Res[R['kind']]>, transfer?: Transfer): void {
    try {
      this.post(message, transfer);
    } catch {
      // A closed channel: nothing is waiting for the answer any more.
    }
  }
}
