// firstDifference compares two chunked byte streams whose chunk boundaries differ; the expected
// offset comes from a naive byte-by-byte scan of the two streams concatenated.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { firstDifference } from '../../../src/ast/firstDifference';

/** Deterministic pseudo-random numbers (xorshift32), so a failing case can be replayed. */
function random(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function chunked(bytes: Uint8Array, next: () => number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const n = Math.floor(next() * 40); // empty chunks included on purpose
    chunks.push(bytes.subarray(at, at + n));
    at += n;
  }
  return chunks;
}

async function* asAsync(chunks: Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const c of chunks) yield c;
}

function naive(a: Uint8Array, b: Uint8Array): number | undefined {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (i >= a.length || i >= b.length || a[i] !== b[i]) return i;
  return undefined;
}

describe('firstDifference', () => {
  it('agrees with a byte-by-byte scan on 500 random pairs of differently chunked streams', async () => {
    const next = random(20261127);
    let equalPairs = 0;
    for (let n = 0; n < 500; n++) {
      const a = new Uint8Array(Math.floor(next() * 300)).map(() => Math.floor(next() * 256));
      const b = a.slice(0, next() < 0.2 ? Math.floor(next() * a.length) : a.length);
      if (b.length > 0 && next() < 0.6) b[Math.floor(next() * b.length)] ^= 1 << Math.floor(next() * 8);
      const expected = naive(a, b);
      if (expected === undefined) equalPairs++;
      const got = await firstDifference(asAsync(chunked(a, next)), chunked(b, next));
      assert.equal(got, expected, `pair ${n}: lengths ${a.length} and ${b.length}`);
    }
    assert.ok(equalPairs > 50 && equalPairs < 450, `both outcomes exercised (${equalPairs} equal pairs)`);
  });

  it('stops reading both streams at the first difference', async () => {
    let pulled = 0;
    async function* endless(): AsyncIterable<Uint8Array> {
      for (;;) {
        pulled++;
        yield new Uint8Array(8);
      }
    }
    assert.equal(await firstDifference(endless(), [new Uint8Array(8), Uint8Array.of(0, 0, 7)]), 10);
    assert.ok(pulled <= 3, `pulled ${pulled} chunks`);
  });
});
