import type { ByteSource } from './byteSource';

const PAGE_BYTES = 256 * 1024;
const MAX_PAGES = 64;

/**
 * Serves small reads from cached fixed-size pages of another ByteSource. Listing a checkpoint with
 * 100 k tensors makes ~100 k tiny reads (one zip record each); through pages they become a few
 * hundred positional reads. Reads larger than a page (tensor data) go straight to the file.
 * Pages live only while the document is open and the editor reloads the document on change.
 */
export class PagedSource implements ByteSource {
  private readonly pages = new Map<number, Promise<Uint8Array>>();

  constructor(private readonly inner: ByteSource) {}

  get name(): string {
    return this.inner.name;
  }

  get size(): number {
    return this.inner.size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (length > PAGE_BYTES || offset < 0 || length < 0 || offset + length > this.size || !Number.isSafeInteger(offset + length)) {
      // Out-of-range reads go to the inner source too, so its error message is the one users see.
      return this.inner.read(offset, length);
    }
    const first = Math.floor(offset / PAGE_BYTES);
    const last = Math.floor((offset + Math.max(0, length - 1)) / PAGE_BYTES);
    if (first === last) {
      const page = await this.page(first);
      const start = offset - first * PAGE_BYTES;
      return page.slice(start, start + length);
    }
    const out = new Uint8Array(length);
    for (let p = first; p <= last; p++) {
      const page = await this.page(p);
      const pageStart = p * PAGE_BYTES;
      const from = Math.max(offset, pageStart);
      const to = Math.min(offset + length, pageStart + page.length);
      out.set(page.subarray(from - pageStart, to - pageStart), from - offset);
    }
    return out;
  }

  close(): Promise<void> {
    this.pages.clear();
    return this.inner.close();
  }

  private page(index: number): Promise<Uint8Array> {
    const cached = this.pages.get(index);
    if (cached) {
      // Re-insert: Map order is the eviction order (least recently used first).
      this.pages.delete(index);
      this.pages.set(index, cached);
      return cached;
    }
    const start = index * PAGE_BYTES;
    const loading = this.inner.read(start, Math.min(PAGE_BYTES, this.size - start));
    loading.catch(() => this.pages.delete(index));
    this.pages.set(index, loading);
    if (this.pages.size > MAX_PAGES) this.pages.delete(this.pages.keys().next().value as number);
    return loading;
  }
}
