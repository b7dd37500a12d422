import type { ByteSource } from './byteSource';
import { checkRange } from './checkRange';

export interface ConcatPart {
  readonly source: ByteSource;
  /** Where the part starts in the joined address space. */
  readonly base: number;
}

/**
 * Several sources as one address space, each at its `base` (parts in order, back to back): a sharded
 * checkpoint's tensors, rebased by their shard's base, are read by the same readers as one file's.
 * A read never spans two parts (no tensor does); one that would is refused.
 */
/** A joined source: several files, so no single-file fact (a zip's data.pkl) describes it. */
export interface JoinedSource extends ByteSource {
  readonly parts: readonly ConcatPart[];
}

export function isJoinedSource(source: ByteSource): source is JoinedSource {
  return Array.isArray((source as Partial<JoinedSource>).parts);
}

export function concatSource(name: string, parts: readonly ConcatPart[]): JoinedSource {
  const size = parts.reduce((end, p) => Math.max(end, p.base + p.source.size), 0);
  const partAt = (offset: number, length: number): ConcatPart => {
    checkRange(name, size, offset, length);
    let lo = 0;
    let hi = parts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (parts[mid]!.base <= offset) lo = mid;
      else hi = mid - 1;
    }
    const part = parts[lo];
    if (part === undefined || offset < part.base || offset + length > part.base + part.source.size) {
      throw new RangeError(`${name}: read of ${length} bytes at byte ${offset} does not lie within one shard`);
    }
    return part;
  };
  return {
    name,
    size,
    parts,
    async read(offset, length) {
      const part = partAt(offset, length);
      return part.source.read(offset - part.base, length);
    },
    async readInto(offset, target) {
      const part = partAt(offset, target.length);
      if (part.source.readInto) await part.source.readInto(offset - part.base, target);
      else target.set(await part.source.read(offset - part.base, target.length));
    },
    async close() {
      await Promise.allSettled(parts.map((p) => p.source.close()));
    },
  };
}
