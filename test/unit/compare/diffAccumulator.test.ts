// The comparison's float64 accumulators against a naive computation over the whole arrays, and the
// same results whatever the chunk boundaries (the core streams tensors a chunk at a time).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DiffAccumulator, type DiffStatistics } from '../../../src/core/compare/diffAccumulator';
import { bytesEqual } from '../../../src/core/compare/pairValues';

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

/** Textbook definitions over the positions where both values are finite, one pass each. */
function naive(a: readonly number[], b: readonly number[]): DiffStatistics {
  const both = a.map((x, i) => [x, b[i]!] as const).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const diffs = both.map(([x, y]) => Math.abs(x - y));
  const norm = (v: readonly number[]): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  const normA = norm(both.map(([x]) => x));
  const normB = norm(both.map(([, y]) => y));
  const dot = both.reduce((s, [x, y]) => s + x * y, 0);
  return {
    compared: both.length,
    maxAbsDiff: diffs.reduce((m, d) => Math.max(m, d), 0),
    meanAbsDiff: diffs.length ? diffs.reduce((s, d) => s + d, 0) / diffs.length : 0,
    relL2: norm(both.map(([x, y]) => x - y)) / normA,
    cosine: dot / (normA * normB),
    nan: { a: a.filter(Number.isNaN).length, b: b.filter(Number.isNaN).length },
    inf: { a: a.filter((x) => x === Infinity || x === -Infinity).length, b: b.filter((x) => x === Infinity || x === -Infinity).length },
  };
}

function accumulate(a: Float64Array, b: Float64Array, boundaries: readonly number[]): DiffStatistics {
  const acc = new DiffAccumulator();
  let from = 0;
  for (const to of [...boundaries, a.length]) {
    acc.add(a.subarray(from, to), b.subarray(from, to));
    from = to;
  }
  return acc.result();
}

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

describe('DiffAccumulator', () => {
  const next = random(17);
  const n = 10_000;
  const a = Float64Array.from({ length: n }, () => (next() - 0.5) * 4);
  const b = a.map((x, i) => (i % 3 === 0 ? x + (next() - 0.5) * 1e-3 : x));
  a[11] = NaN;
  a[12] = Infinity;
  b[400] = -Infinity;
  b[401] = NaN;
  b[402] = NaN;

  it('equals the naive definitions, NaN and infinities counted per side and left out of the sums', () => {
    const got = accumulate(a, b, []);
    const want = naive([...a], [...b]);
    assert.equal(got.compared, want.compared);
    assert.equal(got.maxAbsDiff, want.maxAbsDiff);
    close(got.meanAbsDiff, want.meanAbsDiff, 'meanAbsDiff');
    close(got.relL2, want.relL2, 'relL2');
    close(got.cosine, want.cosine, 'cosine');
    assert.deepEqual(got.nan, { a: 1, b: 2 });
    assert.deepEqual(got.inf, { a: 1, b: 1 });
    assert.deepEqual([got.nan, got.inf], [want.nan, want.inf]);
  });

  it('gives bit-identical results for any chunk boundaries', () => {
    const whole = accumulate(a, b, []);
    for (const size of [1, 7, 64, 4096, 9_999]) {
      const boundaries = Array.from({ length: Math.ceil(n / size) - 1 }, (_, i) => (i + 1) * size);
      assert.deepEqual(accumulate(a, b, boundaries), whole, `chunks of ${size}`);
    }
    const uneven = [3, 500, 501, 7777];
    assert.deepEqual(accumulate(a, b, uneven), whole);
  });

  it('addIdentical equals add of a chunk against itself', () => {
    const viaAdd = new DiffAccumulator();
    viaAdd.add(a, a);
    const viaIdentical = new DiffAccumulator();
    viaIdentical.addIdentical(a.subarray(0, 5000));
    viaIdentical.addIdentical(a.subarray(5000));
    assert.deepEqual(viaIdentical.result(), viaAdd.result());
    assert.equal(viaAdd.result().maxAbsDiff, 0);
    assert.equal(viaAdd.result().relL2, 0);
  });

  it('addFloat32 (bits compared in the same pass) equals the naive definitions and finds identical chunks', () => {
    const fa = Float32Array.from(a);
    const fb = Float32Array.from(b);
    const bits = (f: Float32Array, from: number, to: number): Int32Array => new Int32Array(f.buffer, from * 4, to - from);
    const run = (size: number): { stats: DiffStatistics; identical: boolean[] } => {
      const acc = new DiffAccumulator();
      const identical: boolean[] = [];
      for (let from = 0; from < n; from += size) {
        const to = Math.min(n, from + size);
        identical.push(acc.addFloat32(fa.subarray(from, to), fb.subarray(from, to), bits(fa, from, to), bits(fb, from, to)));
      }
      return { stats: acc.result(), identical };
    };
    const whole = run(n);
    const want = naive([...fa], [...fb]);
    assert.equal(whole.stats.compared, want.compared);
    assert.equal(whole.stats.maxAbsDiff, want.maxAbsDiff);
    close(whole.stats.meanAbsDiff, want.meanAbsDiff, 'meanAbsDiff');
    close(whole.stats.relL2, want.relL2, 'relL2');
    close(whole.stats.cosine, want.cosine, 'cosine');
    assert.deepEqual([whole.stats.nan, whole.stats.inf], [want.nan, want.inf]);
    assert.deepEqual(whole.identical, [false]);
    for (const size of [1, 3, 1000]) assert.deepEqual(run(size).stats, whole.stats, `chunks of ${size}`);
    // Chunks of 3 are identical exactly when none of their positions was changed (every third) or made NaN/Inf on one side.
    const expectedIdentical = Array.from({ length: Math.ceil(n / 3) }, (_, c) =>
      [0, 1, 2].map((k) => c * 3 + k).filter((i) => i < n).every((i) => new Int32Array(fa.buffer)[i] === new Int32Array(fb.buffer)[i]));
    assert.deepEqual(run(3).identical, expectedIdentical);
  });

  it('says 0 relL2 for two zero tensors, Infinity when only a is zero, NaN cosine for a zero side', () => {
    const zeros = new Float64Array(4);
    const acc = new DiffAccumulator();
    acc.add(zeros, zeros);
    assert.equal(acc.result().relL2, 0);
    assert.ok(Number.isNaN(acc.result().cosine));
    const onlyA = new DiffAccumulator();
    onlyA.add(zeros, Float64Array.of(1, 0, 0, 0));
    assert.equal(onlyA.result().relL2, Infinity);
  });

  it('refuses chunks of different lengths', () => {
    assert.throws(() => new DiffAccumulator().add([1, 2], [1]), /2 and 1 elements/);
  });
});

describe('bytesEqual', () => {
  it('agrees with a byte-by-byte scan, aligned or not', () => {
    const next = random(5);
    const x = Uint8Array.from({ length: 1031 }, () => Math.floor(next() * 256));
    for (const [offset, length] of [[0, 1028], [1, 1030], [4, 1024], [3, 5]] as const) {
      const y = x.slice();
      assert.equal(bytesEqual(x.subarray(offset, offset + length), y.subarray(offset, offset + length)), true);
      y[offset + length - 1]! ^= 1;
      assert.equal(bytesEqual(x.subarray(offset, offset + length), y.subarray(offset, offset + length)), false);
    }
    assert.equal(bytesEqual(x.subarray(0, 4), x.subarray(0, 5)), false);
  });
});
