/**
 * Webview side of the request/response protocol: numbers requests, settles each exactly once
 * (answer, host error, cancellation or timeout) so the view never waits forever.
 */
import {
  requestTimeoutMs,
  type HostRequest,
  type HostRequestKind,
  type HostResponses,
  type HostToWebview,
  type WebviewToHost,
} from './messages';

export class RequestFailedError extends Error {
  constructor(message: string, readonly cancelled = false) {
    super(message);
    this.name = 'RequestFailedError';
  }
}

interface Pending {
  readonly kind: HostRequestKind;
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

export class RequestClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly post: (message: WebviewToHost) => void,
    private readonly timeoutFor: (kind: HostRequestKind) => number = requestTimeoutMs,
  ) {}

  request<K extends HostRequestKind>(
    request: Extract<HostRequest, { kind: K }>,
    onProgress?: (done: number, total: number) => void,
  ): RequestHandle<HostResponses[K]> {
    const requestId = this.nextId++;
    const result = new Promise<HostResponses[K]>((resolve, reject) => {
      const entry: Pending = {
        kind: request.kind,
        resolve: resolve as (body: unknown) => void,
        reject,
        onProgress,
        timer: this.startTimer(requestId, request.kind),
      };
      this.pending.set(requestId, entry);
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
        this.post({ type: 'cancel', requestId });
        this.settle(requestId, new RequestFailedError(`${request.kind} cancelled`, true));
      },
    };
  }

  /** Feed every host message here; returns true when it belonged to a request. */
  handle(message: HostToWebview): boolean {
    if (message.type === 'progress') {
      const entry = this.pending.get(message.requestId);
      if (!entry) return true;
      clearTimeout(entry.timer);
      entry.timer = this.startTimer(message.requestId, entry.kind);
      entry.onProgress?.(message.done, message.total);
      return true;
    }
    if (message.type !== 'response') return false;
    if (message.ok) this.settle(message.requestId, undefined, message.body);
    else this.settle(message.requestId, new RequestFailedError(message.error, message.cancelled ?? false));
    return true;
  }

  /** Fails everything still open, e.g. when the document is reloaded under the view. */
  failAll(reason: string): void {
    for (const id of [...this.pending.keys()]) this.settle(id, new RequestFailedError(reason));
  }

  get openRequests(): number {
    return this.pending.size;
  }

  private startTimer(requestId: number, kind: HostRequestKind): ReturnType<typeof setTimeout> {
    const ms = this.timeoutFor(kind);
    return setTimeout(
      () => this.settle(requestId, new RequestFailedError(`${kind} request got no answer within ${ms / 1000} s`)),
      ms,
    );
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
