import type { ByteSource } from '../io/byteSource';
import { decodeValues } from './decode';
import type { TensorInfo } from './tensorInfo';
import { isContiguous, readTensor, streamTensor } from './tensorReader';

const CHUNK = 4 * 1024 * 1024;

export interface TensorStatistics {
  /** Elements in the tensor, NaN and infinities included. */
  readonly count: number;
  /** min, max, mean and std are over the finite elements; NaN when there are none. */
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Sample standard deviation (n − 1), as torch.std() computes it; 0 for fewer than two finite elements. */
  readonly std: number;
  readonly nanCount: number;
  readonly posInfCount: number;
  readonly negInfCount: number;
  /** Equal-width bins over [min, max] of the finite elements. */
  readonly histogram: { readonly min: number; readonly max: number; readonly counts: number[] };
}

export interface StatisticsOptions {
  readonly bins?: number;
  readonly signal?: AbortSignal;
  /** Bytes processed so far over both passes (the tensor is streamed twice). */
  readonly onProgress?: (doneBytes: number, totalBytes: number) => void;
}

/**
 * Two chunked passes: moments, extremes and NaN/Inf counts first, then the histogram over the
 * finite range. Memory stays at one chunk for contiguous tensors.
 */
export async function tensorStatistics(source: ByteSource, tensor: TensorInfo, opts: StatisticsOptions = {}): Promise<TensorStatistics> {
  const bins = Math.max(1, Math.floor(opts.bins ?? 64));
  const total = tensor.bytes * 2;
  let done = 0;
  // A strided view is gathered once for both passes (memory: one tensor, as readTensor needs anyway).
  const gathered = isContiguous(tensor) ? undefined : await readTensor(source, tensor, opts.signal);
  const chunks = async function* (): AsyncIterable<ArrayLike<number>> {
    const stream = gathered ? slices(gathered, CHUNK, opts.signal) : streamTensor(source, tensor, { chunkBytes: CHUNK, signal: opts.signal });
    for await (const bytes of stream) {
      yield decodeValues(bytes, tensor.dtype);
      done += bytes.length;
      opts.onProgress?.(done, total);
    }
  };

  let finite = 0, mean = 0, m2 = 0, min = Infinity, max = -Infinity;
  let nanCount = 0, posInfCount = 0, negInfCount = 0;
  for await (const values of chunks()) {
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      if (Number.isFinite(x)) {
        // Welford's update: stable for long tensors with a large mean.
        finite++;
        const delta = x - mean;
        mean += delta / finite;
        m2 += delta * (x - mean);
        if (x < min) min = x;
        if (x > max) max = x;
      } else if (Number.isNaN(x)) nanCount++;
      else if (x > 0) posInfCount++;
      else negInfCount++;
    }
  }

  const counts = new Array<number>(bins).fill(0);
  if (finite > 0) {
    const range = max - min;
    for await (const values of chunks()) {
      for (let i = 0; i < values.length; i++) {
        const x = values[i]!;
        if (!Number.isFinite(x)) continue;
        // The same arithmetic as torch.histc, so edge values fall in the same bins.
        const bin = range > 0 ? Math.min(bins - 1, Math.floor(((x - min) / range) * bins)) : 0;
        counts[bin]!++;
      }
    }
  } else {
    opts.onProgress?.(total, total);
  }
  const none = finite === 0;
  return {
    count: tensor.numel,
    min: none ? NaN : min,
    max: none ? NaN : max,
    mean: none ? NaN : mean,
    std: finite > 1 ? Math.sqrt(m2 / (finite - 1)) : 0,
    nanCount, posInfCount, negInfCount,
    histogram: { min: none ? NaN : min, max: none ? NaN : max, counts },
  };
}

function* slices(bytes: Uint8Array, size: number, signal?: AbortSignal): Iterable<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) {
    signal?.throwIfAborted();
    yield bytes.subarray(at, at + size);
  }
}
