// One HTTP GET as the remote source needs it, over the platform's `fetch` (Node ≥ 18, browsers, web workers):
// redirects followed by hand so the token never crosses to another origin, a bounded idle timeout, and
// bounded retries with backoff on 429/5xx and dropped connections.
import { HttpError } from '../errors';

export interface HttpAuth {
  /** Sent as `Authorization: Bearer …`. Never put in a message. */
  readonly token: string;
  /** The only origin (scheme://host:port) that receives it: the Hugging Face endpoint's. */
  readonly origin: string;
}

export interface HttpRequestOptions {
  readonly auth?: HttpAuth;
  /** Abort when no byte arrives for this long (also bounds connecting and the headers). Default 30 s. */
  readonly timeoutMs?: number;
  /** Further attempts after a 429, a 5xx, a network error or a dropped body. Default 3. */
  readonly retries?: number;
  /** First backoff; doubled each retry (a Retry-After up to 30 s is honoured instead). Default 500 ms. */
  readonly retryDelayMs?: number;
  readonly signal?: AbortSignal;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRIES = 3;
const DEFAULT_RETRY_DELAY_MS = 500;
const MAX_REDIRECTS = 10;
const MAX_RETRY_AFTER_MS = 30_000;

/** Counts shared by every request of one source: what a listing cost on the wire. */
export interface WireCounters {
  requests: number;
  bytesReceived: number;
}

/** A response whose headers arrived; `url` is where the redirects ended. The idle timer runs until the body is read or cancelled. */
export interface OpenResponse {
  readonly response: Response;
  readonly url: string;
  /** Reads the whole body; it must be exactly `expected` bytes when given. */
  readBody(expected?: number, limit?: number): Promise<Uint8Array>;
  /** The body chunk by chunk (downloads); the idle timer restarts on each. */
  chunks(): AsyncIterable<Uint8Array>;
  cancel(): Promise<void>;
}

/** Thrown inside an attempt when another attempt may succeed (the caller's loop retries it). */
class Retryable extends Error {}

/**
 * Runs `attempt` (a request and the reading of its body) again after a 429, a 5xx, a timeout or a dropped
 * connection, at most `retries` more times with doubling backoff; what still fails becomes an HttpError.
 */
export async function withRetries<T>(name: string, opts: HttpRequestOptions, attempt: () => Promise<T>): Promise<T> {
  const retries = opts.retries ?? DEFAULT_RETRIES;
  let delay = opts.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof Retryable)) throw err;
      if (n >= retries) throw new HttpError(name, `${err.message}${n > 0 ? ` (after ${n + 1} attempts)` : ''}`, statusOf(err));
      await sleep(retryAfterMs(err) ?? delay, opts.signal);
      delay *= 2;
    }
  }
}

/**
 * One GET of `url` with `headers`, redirects followed; `accept(status)` says which final statuses the caller
 * handles (others become an HttpError, or a retryable problem for 429/5xx). `name` names the file in messages.
 */
export async function openGet(
  name: string, startUrl: string, headers: Record<string, string>, opts: HttpRequestOptions, counters: WireCounters,
  accept: (status: number) => boolean,
): Promise<OpenResponse> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const idle = new IdleTimer(timeoutMs, opts.signal);
  let url = startUrl;
  try {
    for (let hop = 0; ; hop++) {
      const sendToken = opts.auth !== undefined && new URL(url).origin === opts.auth.origin;
      counters.requests++;
      let response: Response;
      try {
        response = await fetch(url, {
          headers: sendToken ? { ...headers, authorization: `Bearer ${opts.auth!.token}` } : headers,
          redirect: 'manual',
          signal: idle.signal,
        });
      } catch (err) {
        throw idle.explain(err, 'before the server answered');
      }
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location !== null) {
        await response.body?.cancel().catch(() => undefined);
        if (hop >= MAX_REDIRECTS) throw new HttpError(name, `more than ${MAX_REDIRECTS} redirects`, response.status);
        url = new URL(location, url).href;
        idle.kick();
        continue;
      }
      if (!accept(response.status)) {
        await response.body?.cancel().catch(() => undefined);
        throw statusError(name, response);
      }
      return openResponse(name, response, url, idle, counters);
    }
  } catch (err) {
    idle.stop();
    throw err;
  }
}

function openResponse(name: string, response: Response, url: string, idle: IdleTimer, counters: WireCounters): OpenResponse {
  async function* chunks(): AsyncGenerator<Uint8Array> {
    const reader = response.body?.getReader();
    try {
      for (;;) {
        idle.kick();
        let step: ReadableStreamReadResult<Uint8Array>;
        try {
          step = reader ? await reader.read() : { done: true, value: undefined };
        } catch (err) {
          throw idle.explain(err, 'while receiving the body');
        }
        if (step.done) return;
        counters.bytesReceived += step.value.length;
        yield step.value;
      }
    } finally {
      idle.stop();
      await reader?.cancel().catch(() => undefined);
    }
  }
  return {
    response,
    url,
    chunks,
    async readBody(expected, limit = expected) {
      const declared = Number(response.headers.get('content-length') ?? NaN);
      const size = expected ?? (Number.isSafeInteger(declared) ? declared : undefined);
      const parts: Uint8Array[] = [];
      let received = 0;
      for await (const chunk of chunks()) {
        received += chunk.length;
        if (limit !== undefined && received > limit) throw new HttpError(name, `the server sent more than the ${limit} bytes asked for`, response.status);
        parts.push(chunk);
      }
      if (size !== undefined && received < size) throw new Retryable(`connection closed after ${received} of ${size} bytes of the response`);
      return concat(parts, received);
    },
    async cancel() {
      idle.stop();
      await response.body?.cancel().catch(() => undefined);
    },
  };
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** 429 and 5xx may pass (rate limits, a restarting server); the rest are answers. */
function statusError(name: string, response: Response): Error {
  const status = response.status;
  if (status === 429 || status >= 500) {
    const err = new Retryable(`the server answered HTTP ${status}${status === 429 ? ' (too many requests)' : ''}`);
    Object.assign(err, { status, retryAfter: response.headers.get('retry-after') });
    return err;
  }
  const problem =
    status === 401 ? 'HTTP 401: the server needs authentication (for the Hugging Face Hub set HF_TOKEN to a token with access)'
    : status === 403 ? 'HTTP 403: access denied (a gated or private repository your token cannot read?)'
    : status === 404 ? 'HTTP 404: no such file on the server (check the repository, path and revision)'
    : status === 416 ? 'HTTP 416: the server refused the byte range'
    : `the server answered HTTP ${status}`;
  return new HttpError(name, problem, status);
}

function statusOf(err: Error): number | undefined {
  const status = (err as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

function retryAfterMs(err: Error): number | undefined {
  const header = (err as { retryAfter?: unknown }).retryAfter;
  const seconds = typeof header === 'string' ? Number(header) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) : undefined;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = (): void => { clearTimeout(timer); reject(signal!.reason); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Aborts the request when nothing arrives for `ms` (or when the caller aborts). */
class IdleTimer {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timedOut = false;
  private readonly onOuterAbort = (): void => this.controller.abort(this.outer?.reason);

  constructor(private readonly ms: number, private readonly outer?: AbortSignal) {
    outer?.throwIfAborted();
    outer?.addEventListener('abort', this.onOuterAbort, { once: true });
    this.kick();
  }

  get signal(): AbortSignal { return this.controller.signal; }

  kick(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timedOut = true; this.controller.abort(); }, this.ms);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this.onOuterAbort);
  }

  /** A failed fetch or body read as the error to throw: the caller's abort as is, a timeout or drop as retryable. */
  explain(err: unknown, when: string): unknown {
    if (this.outer?.aborted) return this.outer.reason;
    if (this.timedOut) return new Retryable(`no answer for ${this.ms / 1000} s ${when} (timed out)`);
    const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    if (when === 'while receiving the body') return new Retryable(`the connection dropped ${when} (${cause})`);
    return new Retryable(`cannot connect (${cause})`);
  }
}
