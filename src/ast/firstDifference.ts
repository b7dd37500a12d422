/**
 * The offset of the first byte where two byte streams differ (a shorter stream differs where it
 * ends), or undefined when they are equal. Chunk boundaries need not line up; equal stretches are
 * compared with memcmp (Buffer.equals), not byte by byte.
 */
export async function firstDifference(
  a: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  b: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
): Promise<number | undefined> {
  const left = new ChunkCursor(a);
  const right = new ChunkCursor(b);
  try {
    let offset = 0;
    for (;;) {
      const [x, y] = await Promise.all([left.peek(), right.peek()]);
      if (x === undefined || y === undefined) return x === y ? undefined : offset;
      const n = Math.min(x.length, y.length);
      const xs = asBuffer(x.subarray(0, n));
      const ys = asBuffer(y.subarray(0, n));
      if (!xs.equals(ys)) {
        let i = 0;
        while (xs[i] === ys[i]) i++;
        return offset + i;
      }
      left.consume(n);
      right.consume(n);
      offset += n;
    }
  } finally {
    await Promise.all([left.close(), right.close()]);
  }
}

/** Reads a chunk stream as a sequence of non-empty byte runs that can be partly consumed. */
class ChunkCursor {
  private readonly iterator: Iterator<Uint8Array> | AsyncIterator<Uint8Array>;
  private current: Uint8Array | undefined;
  private done = false;

  constructor(stream: Iterable<Uint8Array> | AsyncIterable<Uint8Array>) {
    this.iterator = Symbol.asyncIterator in stream ? stream[Symbol.asyncIterator]() : stream[Symbol.iterator]();
  }

  /** The unconsumed bytes of the current chunk; undefined at the end of the stream. */
  async peek(): Promise<Uint8Array | undefined> {
    while (!this.done && (this.current === undefined || this.current.length === 0)) {
      const next = await this.iterator.next();
      if (next.done) this.done = true;
      else this.current = next.value;
    }
    return this.done ? undefined : this.current;
  }

  consume(n: number): void {
    this.current = this.current?.subarray(n);
  }

  async close(): Promise<void> {
    if (!this.done) await this.iterator.return?.();
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
