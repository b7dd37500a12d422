import type { ByteSource } from './byteSource';

/** A ByteSource that counts what is read through it: proves listing reads only metadata. */
export interface CountingSource extends ByteSource {
  readonly bytesRead: number;
  readonly reads: number;
}

export function countingSource(inner: ByteSource): CountingSource {
  let bytesRead = 0;
  let reads = 0;
  return {
    name: inner.name,
    size: inner.size,
    get bytesRead() { return bytesRead; },
    get reads() { return reads; },
    read(offset, length) {
      bytesRead += length;
      reads += 1;
      return inner.read(offset, length);
    },
    close: () => inner.close(),
  };
}
