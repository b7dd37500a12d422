/**
 * The offset of the first byte where two byte streams differ (a shorter stream differs where it
 * ends), or undefined when they are equal. Chunk boundaries need not line up; equal stretches are
 * compared four bytes at a time where both runs are aligned for it.
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
      const at = differenceIn(x, y, n);
      if (at !== undefined) return offset + at;
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

/** The first index below `n` where `x` and `y` differ. Whole 32-bit words first when both runs are 4-byte aligned. */
function differenceIn(x: Uint8Array, y: Uint8Array, n: number): number | undefined {
  let i = 0;
  if (x.byteOffset % 4 === 0 && y.byteOffset % 4 === 0) {
    const words = Math.floor(n / 4);
    const xw = new Uint32Array(x.buffer, x.byteOffset, words);
    const yw = new Uint32Array(y.buffer, y.byteOffset, words);
    let w = 0;
    while (w < words && xw[w] === yw[w]) w++;
    i = w * 4;
  }
  for (; i < n; i++) if (x[i] !== y[i]) return i;
  return undefined;
}
