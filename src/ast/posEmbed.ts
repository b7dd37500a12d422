import type { PatchGrid } from './grid';

/**
 * Adapts position embeddings [1, C + pf·pt, D] to another patch grid the way SSAST's own
 * fine-tuning code does (reference §3.3), in float32: the time axis first (centred crop when
 * shrinking, bilinear resize otherwise), then the frequency axis; class-token rows are kept.
 * `clsRows` 1 (nokd) duplicates the class row so HF gets its two token positions.
 * Arithmetic follows PyTorch's CPU kernel (float32 weights from a double source position; the
 * two taps combined as its vectorized loop does, w1·b rounded then fused with w0·a), so results
 * equal `F.interpolate(mode="bilinear", align_corners=False)` bit for bit (checked against torch 1.13).
 */
export function adaptPositionEmbeddings(
  source: Float32Array,
  hidden: number,
  clsRows: number,
  from: PatchGrid,
  to: PatchGrid,
): Float32Array {
  if (source.length !== (clsRows + from.f * from.t) * hidden) {
    throw new Error(`position embeddings hold ${source.length / hidden} rows, expected ${clsRows} + ${from.f}×${from.t}`);
  }
  const patches = source.subarray(clsRows * hidden);
  // Rows are patch index f·t + t (time fastest); each axis maps output positions to input taps.
  const alongTime = resample(patches, hidden, from.f, from.t, to.t, 'time');
  const alongFreq = resample(alongTime, hidden, from.f, to.t, to.f, 'frequency');
  const out = new Float32Array((2 + to.f * to.t) * hidden);
  const firstCls = source.subarray(0, hidden);
  out.set(firstCls, 0);
  out.set(clsRows >= 2 ? source.subarray(hidden, 2 * hidden) : firstCls, hidden);
  out.set(alongFreq, 2 * hidden);
  return out;
}

interface Tap {
  readonly i0: number;
  readonly i1: number;
  readonly w0: number;
  readonly w1: number;
}

/** Resamples one axis of a [f][t][D] grid from `inSize` to `outSize` positions. */
function resample(grid: Float32Array, D: number, f: number, t: number, outSize: number, axis: 'time' | 'frequency'): Float32Array {
  const inSize = axis === 'time' ? t : f;
  const taps = outSize < inSize ? cropTaps(inSize, outSize) : linearTaps(inSize, outSize);
  const outF = axis === 'time' ? f : outSize;
  const outT = axis === 'time' ? outSize : t;
  const out = new Float32Array(outF * outT * D);
  for (let fi = 0; fi < outF; fi++) {
    for (let ti = 0; ti < outT; ti++) {
      const tap = taps[axis === 'time' ? ti : fi]!;
      const row = (i: number): number => (axis === 'time' ? fi * t + i : i * t + ti) * D;
      const a = row(tap.i0);
      const b = row(tap.i1);
      const o = (fi * outT + ti) * D;
      for (let d = 0; d < D; d++) {
        out[o + d] = Math.fround(grid[a + d]! * tap.w0 + Math.fround(grid[b + d]! * tap.w1));
      }
    }
  }
  return out;
}

/** The centred window SSAST takes when the new grid is shorter: start p/2 − n/2 (integer halves). */
function cropTaps(inSize: number, outSize: number): Tap[] {
  const start = Math.floor(inSize / 2) - Math.floor(outSize / 2);
  return Array.from({ length: outSize }, (_, i) => ({ i0: start + i, i1: start + i, w0: 1, w1: 0 }));
}

/**
 * PyTorch's linear taps for align_corners=False, as its CPU kernel computes them: the scale
 * in/out rounded to float32, the source position (dst + 0.5)·scale − 0.5 (clamped at 0) and
 * the fractional weight in double, the weights stored as float32 (w0 = 1 − w1 in float32).
 */
function linearTaps(inSize: number, outSize: number): Tap[] {
  const scale = Math.fround(inSize / outSize);
  return Array.from({ length: outSize }, (_, dst) => {
    if (inSize === outSize) return { i0: dst, i1: dst, w0: 1, w1: 0 };
    const src = Math.max(scale * (dst + 0.5) - 0.5, 0);
    const i0 = Math.trunc(src);
    const i1 = i0 < inSize - 1 ? i0 + 1 : i0;
    const w1 = Math.fround(Math.min(Math.max(src - i0, 0), 1));
    return { i0, i1, w0: Math.fround(1 - w1), w1 };
  });
}
