// A real HTTP file server on 127.0.0.1 (node:http) for the remote-reading tests and the benchmark: serves
// files with single and multipart Range responses, ETag and If-Range, and counts what it sends. Each
// misbehaviour a test needs (no Range support, redirects, 401 without a token, dropped connections, a file
// changing between requests, latency) is an option, so every test talks to the same server code.
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RangeServerOptions {
  /** URL path (e.g. `/o/r/resolve/main/model.bin`) → local file. */
  readonly files: Readonly<Record<string, string>>;
  /** Answer every GET with the whole file (200), as a server without Range support does. */
  readonly ignoreRange?: boolean;
  /** Answer 401 unless the Authorization header is exactly this (checked before redirecting). */
  readonly requireAuthorization?: string;
  /** Answer 302 to this URL (path appended) instead of serving. */
  readonly redirectTo?: string;
  /** Close the connection after this many body bytes of each response. */
  readonly dropAfterBytes?: number;
  /** ETag of the n-th request (0-based); default one stable ETag per file. */
  readonly etagOf?: (request: number) => string;
  /** Delay before each answer (the benchmark's simulated round trip). */
  readonly latencyMs?: number;
  /** Answer multi-range requests with the whole file, as servers that only do single ranges may. */
  readonly singleRangeOnly?: boolean;
  /** Status to answer the n-th request (0-based) with instead of serving it (503, 429, 403 …); undefined serves. */
  readonly failWith?: (request: number) => number | undefined;
}

export interface RangeServerStats {
  requests: number;
  /** Body bytes written (multipart headers included). */
  bytesSent: number;
  /** Authorization header of each request, in order (undefined when absent). */
  readonly authorizations: (string | undefined)[];
  readonly ranges: (string | undefined)[];
}

export interface RangeServer {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  readonly stats: RangeServerStats;
  close(): Promise<void>;
}

const BOUNDARY = 'ckpt-test-boundary';

export async function startRangeServer(opts: RangeServerOptions): Promise<RangeServer> {
  const stats: RangeServerStats = { requests: 0, bytesSent: 0, authorizations: [], ranges: [] };
  const server = createServer((req, res) => {
    const n = stats.requests++;
    stats.authorizations.push(req.headers.authorization);
    stats.ranges.push(req.headers.range);
    const answer = (): void => { serve(req, res, n, opts, stats).catch(() => res.destroy()); };
    if (opts.latencyMs) setTimeout(answer, opts.latencyMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    stats,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, n: number, opts: RangeServerOptions, stats: RangeServerStats): Promise<void> {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  const failure = opts.failWith?.(n);
  if (failure !== undefined) {
    res.writeHead(failure, { 'content-type': 'text/plain', ...(failure === 429 ? { 'retry-after': '0' } : {}) }).end(`status ${failure}`);
    return;
  }
  // Authorization first, then the redirect: the Hub checks access before sending a client to its CDN.
  if (opts.requireAuthorization !== undefined && req.headers.authorization !== opts.requireAuthorization) {
    res.writeHead(401, { 'content-type': 'text/plain' }).end('unauthorized');
    return;
  }
  if (opts.redirectTo !== undefined) {
    res.writeHead(302, { location: opts.redirectTo + req.url }).end();
    return;
  }
  const file = opts.files[path];
  if (file === undefined) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  const size = statSync(file).size;
  const etag = opts.etagOf ? opts.etagOf(n) : `"${size.toString(16)}-${path.length}"`;
  const ifRange = req.headers['if-range'];
  const ranges = opts.ignoreRange || (ifRange !== undefined && ifRange !== etag) ? undefined : parseRanges(req.headers.range, size);
  const common = { etag, 'accept-ranges': opts.ignoreRange ? 'none' : 'bytes' };
  const body = new BodyWriter(res, stats, opts.dropAfterBytes);
  if (ranges === undefined || (ranges.length > 1 && opts.singleRangeOnly)) {
    res.writeHead(200, { ...common, 'content-length': size, 'content-type': 'application/octet-stream' });
    await body.file(file, 0, size - 1);
  } else if (ranges.length === 0) {
    res.writeHead(416, { ...common, 'content-range': `bytes */${size}` }).end();
    return;
  } else if (ranges.length === 1) {
    const [start, end] = ranges[0]!;
    res.writeHead(206, { ...common, 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${size}`, 'content-type': 'application/octet-stream' });
    await body.file(file, start, end);
  } else {
    const heads = ranges.map(([s, e]) => `--${BOUNDARY}\r\ncontent-type: application/octet-stream\r\ncontent-range: bytes ${s}-${e}/${size}\r\n\r\n`);
    const tail = `\r\n--${BOUNDARY}--\r\n`;
    const length = heads.reduce((sum, h, i) => sum + Buffer.byteLength(h) + ranges[i]![1] - ranges[i]![0] + 1 + (i > 0 ? 2 : 0), 0) + Buffer.byteLength(tail);
    res.writeHead(206, { ...common, 'content-length': length, 'content-type': `multipart/byteranges; boundary=${BOUNDARY}` });
    for (let i = 0; i < ranges.length; i++) {
      await body.text((i > 0 ? '\r\n' : '') + heads[i]!);
      await body.file(file, ranges[i]![0], ranges[i]![1]);
    }
    await body.text(tail);
  }
  if (!body.dropped) res.end();
}

/** Inclusive [start, end] pairs; [] when none is satisfiable; undefined without a (parsable) Range header. */
function parseRanges(header: string | undefined, size: number): [number, number][] | undefined {
  const m = header === undefined ? null : /^bytes=(.+)$/.exec(header);
  if (!m) return undefined;
  const out: [number, number][] = [];
  for (const part of m[1]!.split(',')) {
    const r = /^\s*(\d*)-(\d*)\s*$/.exec(part);
    if (!r) return undefined;
    let start: number;
    let end: number;
    if (r[1] === '') {
      start = Math.max(0, size - Number(r[2]));
      end = size - 1;
    } else {
      start = Number(r[1]);
      end = r[2] === '' ? size - 1 : Math.min(Number(r[2]), size - 1);
    }
    if (start <= end && start < size) out.push([start, end]);
  }
  return out;
}

/** Writes a response body, counting it, and cuts the connection after `dropAfter` bytes when asked. */
class BodyWriter {
  dropped = false;
  private sent = 0;

  constructor(private readonly res: ServerResponse, private readonly stats: RangeServerStats, private readonly dropAfter?: number) {}

  text(s: string): Promise<void> {
    return this.write(Buffer.from(s, 'latin1'));
  }

  async file(path: string, start: number, end: number): Promise<void> {
    if (end < start) return;
    for await (const chunk of createReadStream(path, { start, end, highWaterMark: 256 * 1024 })) {
      await this.write(chunk as Buffer);
      if (this.dropped) return;
    }
  }

  private async write(bytes: Buffer): Promise<void> {
    if (this.dropped) return;
    let chunk = bytes;
    if (this.dropAfter !== undefined && this.sent + chunk.length > this.dropAfter) chunk = chunk.subarray(0, this.dropAfter - this.sent);
    this.sent += chunk.length;
    this.stats.bytesSent += chunk.length;
    if (chunk.length > 0 && !this.res.write(chunk)) await new Promise((resolve) => this.res.once('drain', resolve));
    if (chunk.length < bytes.length) {
      this.dropped = true;
      // Let what was written reach the client, then cut: the client sees a body shorter than its Content-Length.
      await new Promise((resolve) => setTimeout(resolve, 20));
      this.res.socket?.destroy();
    }
  }
}
