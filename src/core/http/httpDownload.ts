// The whole file in one GET, chunk by chunk: for servers without Range support, where reading in place is impossible.
import { HttpError } from '../errors';
import { openGet, withRetries, type HttpRequestOptions, type WireCounters } from './httpRequest';

export interface DownloadProgress {
  readonly received: number;
  /** From Content-Length; undefined when the server does not say. */
  readonly total?: number;
}

/** Streams `url` into `write`; rejects (after the writes so far) when the body ends short or the connection drops. */
export async function downloadHttp(
  name: string, url: string, opts: HttpRequestOptions, write: (chunk: Uint8Array) => Promise<void>,
  onProgress?: (p: DownloadProgress) => void,
): Promise<DownloadProgress> {
  const wire: WireCounters = { requests: 0, bytesReceived: 0 };
  const opened = await withRetries(name, opts, () => openGet(name, url, {}, opts, wire, (s) => s === 200));
  const declared = Number(opened.response.headers.get('content-length') ?? NaN);
  const total = Number.isSafeInteger(declared) ? declared : undefined;
  let received = 0;
  try {
    for await (const chunk of opened.chunks()) {
      await write(chunk);
      received += chunk.length;
      onProgress?.({ received, ...(total !== undefined ? { total } : {}) });
    }
  } catch (err) {
    throw err instanceof Error && !(err instanceof HttpError) && err.name !== 'AbortError' ? new HttpError(name, err.message) : err;
  }
  if (total !== undefined && received !== total) throw new HttpError(name, `download ended after ${received} of ${total} bytes (the connection dropped)`);
  return { received, ...(total !== undefined ? { total } : {}) };
}
