// A ByteSource over HTTP Range requests: a listing of a remote checkpoint fetches what a local listing reads
// (the zip's tail and central directory, data.pkl, local headers; a safetensors header; legacy pickles and
// storage headers) in a handful of requests, through a bounded block cache.
import { HttpError, RangeNotSupportedError } from '../errors';
import type { ByteSource } from '../io/byteSource';
import { checkRange } from '../io/checkRange';
import { parseByteRanges, parseContentRange } from './contentRange';
import { openGet, withRetries, type HttpRequestOptions, type OpenResponse, type WireCounters } from './httpRequest';

export interface HttpSourceOptions extends HttpRequestOptions {
  /** Cache granule: small reads fetch whole aligned blocks. Default 64 KiB. */
  readonly blockBytes?: number;
  /** Most cached bytes (blocks and prefetched ranges); the oldest go first. Default 32 MiB. */
  readonly cacheBytes?: number;
}

export interface HttpSource extends ByteSource {
  /** Requests sent (redirect hops included) and body bytes received so far. */
  readonly wire: Readonly<WireCounters>;
}

const DEFAULT_BLOCK = 64 * 1024;
const DEFAULT_CACHE = 32 * 1024 * 1024;
/** Reads past this many blocks (tensor data) go straight to the server, uncached. */
const DIRECT_READ_BLOCKS = 8;
/** A read in the last block fetches the last few: the zip's central directory sits just before its end record. */
const TAIL_READ_AHEAD_BLOCKS = 2;
/** Ranges per multi-range request: keeps the Range header a few kilobytes long. */
const RANGES_PER_REQUEST = 200;

interface Validators {
  readonly etag?: string;
  readonly lastModified?: string;
}

/**
 * Opens `url` (`name` is what messages call it): one ranged GET of the first block learns the size, the
 * validators and whether ranges work at all (RangeNotSupportedError when the server sends the whole file).
 */
export async function openHttpSource(name: string, url: string, opts: HttpSourceOptions = {}): Promise<HttpSource> {
  const block = opts.blockBytes ?? DEFAULT_BLOCK;
  const wire: WireCounters = { requests: 0, bytesReceived: 0 };
  const first = await withRetries(name, opts, async () => {
    const opened = await openGet(name, url, { range: `bytes=0-${block - 1}` }, opts, wire, (s) => s === 200 || s === 206 || s === 416);
    const { status, headers } = opened.response;
    if (status === 200) {
      await opened.cancel();
      throw new RangeNotSupportedError(name, 'the server does not support HTTP Range requests (it answered a ranged request with the whole file)', 200);
    }
    const range = parseContentRange(headers.get('content-range'));
    if (range?.total === undefined) {
      await opened.cancel();
      throw new HttpError(name, `the server's answer to a ranged request has no usable Content-Range (${headers.get('content-range') ?? 'none'})`, status);
    }
    const size = range.total;
    const expected = Math.min(block, size);
    if (status === 416 ? size !== 0 : range.start !== 0 || range.end !== expected - 1) {
      await opened.cancel();
      throw new HttpError(name, `the server sent bytes ${range.start}-${range.end} when asked for 0-${expected - 1}`, status);
    }
    const bytes = status === 416 ? new Uint8Array(0) : await opened.readBody(expected);
    return { size, bytes, finalUrl: opened.url, validators: validatorsOf(opened.response) };
  });
  return new RangeReader(name, first.finalUrl, first.size, first.validators, opts, wire, block, first.bytes);
}

function validatorsOf(response: Response): Validators {
  const etag = response.headers.get('etag') ?? undefined;
  const lastModified = response.headers.get('last-modified') ?? undefined;
  return { ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
}

class RangeReader implements HttpSource {
  readonly wire: WireCounters;
  private readonly blocks = new Map<number, Promise<Uint8Array>>();
  /** Prefetched ranges, sorted by start, not overlapping. */
  private segments: { start: number; bytes: Uint8Array }[] = [];
  private segmentBytes = 0;
  private multiRange = true;
  private readonly ifRange: Record<string, string>;

  constructor(
    readonly name: string,
    /** Where the redirects of the first request ended: later requests skip them. */
    private readonly url: string,
    readonly size: number,
    private readonly validators: Validators,
    private readonly opts: HttpSourceOptions,
    wire: WireCounters,
    private readonly block: number,
    firstBlock: Uint8Array,
  ) {
    this.wire = wire;
    if (size > 0) this.blocks.set(0, Promise.resolve(firstBlock));
    // If-Range makes a server whose file changed send it whole (a 200) instead of a range of different bytes.
    const strong = validators.etag !== undefined && !validators.etag.startsWith('W/') ? validators.etag : undefined;
    const ifRange = strong ?? validators.lastModified;
    this.ifRange = ifRange !== undefined ? { 'if-range': ifRange } : {};
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this.name, this.size, offset, length);
    if (length === 0) return new Uint8Array(0);
    const segment = this.segmentHolding(offset, length);
    if (segment) return segment.bytes.slice(offset - segment.start, offset - segment.start + length);
    let first = Math.floor(offset / this.block);
    const last = Math.floor((offset + length - 1) / this.block);
    if (last - first + 1 > DIRECT_READ_BLOCKS) return this.fetchRange(offset, length);
    const lastBlock = Math.floor((this.size - 1) / this.block);
    if (last === lastBlock) first = Math.max(0, Math.min(first, lastBlock - TAIL_READ_AHEAD_BLOCKS + 1));
    this.fetchMissingBlocks(first, last);
    // Taken before evicting (which may drop blocks of this very read when the cache is small), and moved to
    // the back of the Map so the oldest-first eviction is least-recently-used.
    const pending: Promise<Uint8Array>[] = [];
    for (let b = Math.floor(offset / this.block); b <= last; b++) {
      const piece = this.blocks.get(b)!;
      this.blocks.delete(b);
      this.blocks.set(b, piece);
      pending.push(piece);
    }
    this.evict();
    const out = new Uint8Array(length);
    for (let b = Math.floor(offset / this.block); b <= last; b++) {
      const bytes = await pending[b - Math.floor(offset / this.block)]!;
      const blockStart = b * this.block;
      const from = Math.max(offset, blockStart);
      const to = Math.min(offset + length, blockStart + bytes.length);
      out.set(bytes.subarray(from - blockStart, to - blockStart), from - offset);
    }
    return out;
  }

  async prefetch(ranges: readonly (readonly [number, number])[]): Promise<void> {
    if (!this.multiRange) return;
    const wanted = mergeRanges(ranges.filter(([o, l]) => l > 0 && o >= 0 && o + l <= this.size && !this.isCached(o, l)));
    for (let i = 0; i < wanted.length && this.multiRange; i += RANGES_PER_REQUEST) {
      await this.fetchMany(wanted.slice(i, i + RANGES_PER_REQUEST));
    }
  }

  async close(): Promise<void> {
    this.blocks.clear();
    this.segments = [];
  }

  private isCached(offset: number, length: number): boolean {
    if (this.segmentHolding(offset, length)) return true;
    for (let b = Math.floor(offset / this.block); b <= Math.floor((offset + length - 1) / this.block); b++) if (!this.blocks.has(b)) return false;
    return true;
  }

  private segmentHolding(offset: number, length: number): { start: number; bytes: Uint8Array } | undefined {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.segments[mid]!;
      if (s.start > offset) hi = mid - 1;
      else if (s.start + s.bytes.length < offset + length) lo = mid + 1;
      else return s;
    }
    return undefined;
  }

  /** One request per run of consecutive missing blocks; each block's promise is cached while in flight. */
  private fetchMissingBlocks(first: number, last: number): void {
    for (let b = first; b <= last; b++) {
      if (this.blocks.has(b)) continue;
      let end = b;
      while (end + 1 <= last && !this.blocks.has(end + 1)) end++;
      const runFirst = b;
      const start = runFirst * this.block;
      const run = this.fetchRange(start, Math.min((end + 1) * this.block, this.size) - start);
      for (let k = runFirst; k <= end; k++) {
        const piece = run.then((bytes) => bytes.subarray((k - runFirst) * this.block, (k - runFirst + 1) * this.block));
        piece.catch(() => { if (this.blocks.get(k) === piece) this.blocks.delete(k); });
        this.blocks.set(k, piece);
      }
      b = end;
    }
  }

  private evict(): void {
    const limit = this.opts.cacheBytes ?? DEFAULT_CACHE;
    // Map order is insertion order: the oldest blocks go first.
    for (const key of this.blocks.keys()) {
      if (this.blocks.size * this.block + this.segmentBytes <= limit) break;
      this.blocks.delete(key);
    }
  }

  /** Exactly `length` bytes at `offset`, from one ranged GET checked against what was asked and the first answer's validators. */
  private fetchRange(offset: number, length: number): Promise<Uint8Array> {
    return withRetries(this.name, this.opts, async () => {
      const opened = await this.get(`bytes=${offset}-${offset + length - 1}`, true);
      const range = parseContentRange(opened.response.headers.get('content-range'));
      if (range?.start !== offset || range.end !== offset + length - 1) {
        await opened.cancel();
        throw new HttpError(this.name, `the server sent bytes ${range?.start}-${range?.end} when asked for ${offset}-${offset + length - 1}`, 206);
      }
      return opened.readBody(length);
    });
  }

  /** Several ranges in one multipart request; a server that will not do that falls back to plain reads. */
  private async fetchMany(ranges: readonly (readonly [number, number])[]): Promise<void> {
    const header = 'bytes=' + ranges.map(([o, l]) => `${o}-${o + l - 1}`).join(',');
    const asked = ranges.reduce((sum, [, l]) => sum + l, 0);
    const parts = await withRetries(this.name, this.opts, async () => {
      const opened = await this.get(header, false);
      if (opened === undefined) return undefined;
      const body = await opened.readBody(undefined, asked + ranges.length * 256 + 4096);
      return parseByteRanges(body, opened.response.headers.get('content-type'));
    });
    const covers = parts !== undefined && ranges.every(([o, l]) => parts.some((p) => p.start <= o && p.start + p.bytes.length >= o + l));
    if (!covers) {
      this.multiRange = false;
      return;
    }
    for (const p of parts) this.addSegment(p.start, p.bytes.slice());
  }

  private addSegment(start: number, bytes: Uint8Array): void {
    if (this.segmentHolding(start, bytes.length)) return;
    const limit = this.opts.cacheBytes ?? DEFAULT_CACHE;
    if (this.segmentBytes + bytes.length > limit) return;
    const at = this.segments.findIndex((s) => s.start > start);
    const overlaps = (s: { start: number; bytes: Uint8Array } | undefined): boolean =>
      s !== undefined && s.start < start + bytes.length && start < s.start + s.bytes.length;
    if (overlaps(this.segments[at === -1 ? this.segments.length - 1 : at]) || overlaps(this.segments[(at === -1 ? this.segments.length : at) - 1])) return;
    this.segments.splice(at === -1 ? this.segments.length : at, 0, { start, bytes });
    this.segmentBytes += bytes.length;
  }

  /**
   * A ranged GET that must come back as a 206 of the same file: other validators mean it changed, and so does a
   * 200 (If-Range failed), except to a multi-range request (`wholeIsChange` false), which some servers ignore:
   * then undefined, and plain reads (which would see a change) take over.
   */
  private async get(range: string, wholeIsChange: true): Promise<OpenResponse>;
  private async get(range: string, wholeIsChange: boolean): Promise<OpenResponse | undefined>;
  private async get(range: string, wholeIsChange: boolean): Promise<OpenResponse | undefined> {
    const opened = await openGet(this.name, this.url, { range, ...this.ifRange }, this.opts, this.wire, (s) => s === 200 || s === 206);
    const now = validatorsOf(opened.response);
    if (opened.response.status === 200 && !wholeIsChange) {
      await opened.cancel();
      return undefined;
    }
    const changed =
      opened.response.status === 200 ||
      (this.validators.etag !== undefined && now.etag !== undefined && now.etag !== this.validators.etag) ||
      (this.validators.lastModified !== undefined && now.lastModified !== undefined && now.lastModified !== this.validators.lastModified);
    if (changed) {
      await opened.cancel();
      const what = now.etag !== this.validators.etag ? `ETag ${this.validators.etag ?? 'none'} → ${now.etag ?? 'none'}` : 'it answered a ranged request with the whole file';
      throw new HttpError(this.name, `the file changed on the server while it was being read (${what}); open it again`, opened.response.status);
    }
    return opened;
  }
}

/** Sorted, with overlapping or touching ranges joined. */
function mergeRanges(ranges: readonly (readonly [number, number])[]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [o, l] of sorted) {
    const prev = out[out.length - 1];
    if (prev && o <= prev[0] + prev[1]) prev[1] = Math.max(prev[1], o + l - prev[0]);
    else out.push([o, l]);
  }
  return out;
}
