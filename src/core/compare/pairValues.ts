import type { ByteSource } from '../io/byteSource';
import { decodeValues } from '../tensors/decode';
import type { DType } from '../tensors/dtype';
import { ITEMSIZE, product } from '../tensors/dtypeInfo';
import { rowSlice } from '../tensors/rowSlice';
import type { TensorInfo } from '../tensors/tensorInfo';
import { isContiguous, readTensor, streamTensor, type ChunkBuffers } from '../tensors/tensorReader';
import type { AlignedPair, PairSide } from './alignment';
import { DiffAccumulator, type DiffStatistics } from './diffAccumulator';

export interface Measured {
  /** Every chunk byte-identical (meaningful for equal dtypes only). */
  readonly identical: boolean;
  readonly statistics?: DiffStatistics;
}

/** Streams both sides of a pair of equal shapes in lockstep, chunk by chunk. */
export async function measurePair(
  pair: AlignedPair, sourceA: ByteSource, sourceB: ByteSource, chunkElements: number,
  buffers: { a: ChunkBuffers; b: ChunkBuffers }, signal: AbortSignal | undefined, onBytes: (n: number) => void,
): Promise<Measured> {
  const dtypeA = dtypeOf(pair.a);
  const dtypeB = dtypeOf(pair.b);
  const numeric = isNumeric(dtypeA) && isNumeric(dtypeB);
  const sameDtype = dtypeA === dtypeB;
  const bothFloat32 = dtypeA === 'float32' && dtypeB === 'float32';
  const chunksA = sideChunks(pair.a, sourceA, chunkElements, buffers.a, signal)[Symbol.asyncIterator]();
  const chunksB = sideChunks(pair.b, sourceB, chunkElements, buffers.b, signal)[Symbol.asyncIterator]();
  const acc = numeric ? new DiffAccumulator() : undefined;
  let identical = true;
  try {
    for (;;) {
      const [x, y] = await Promise.all([chunksA.next(), chunksB.next()]);
      if (x.done || y.done) {
        if (x.done !== y.done) throw new RangeError(`${pair.a.tensor.name} and ${pair.b.tensor.name} streamed different element counts`);
        break;
      }
      if (acc && bothFloat32 && aligned(x.value) && aligned(y.value)) {
        identical = acc.addFloat32(asFloat32(x.value), asFloat32(y.value), asInt32(x.value), asInt32(y.value)) && identical;
      } else {
        const same = sameDtype && bytesEqual(x.value, y.value);
        identical &&= same;
        if (acc && same) acc.addIdentical(decodeValues(x.value, dtypeA));
        else if (acc) acc.add(decodeValues(x.value, dtypeA), decodeValues(y.value, dtypeB));
      }
      onBytes(x.value.length + y.value.length);
    }
  } finally {
    await Promise.all([chunksA.return?.(), chunksB.return?.()]);
  }
  return { identical, ...(acc ? { statistics: acc.result() } : {}) };
}

/** One side's contiguous little-endian bytes, `chunkElements` elements per chunk. */
async function* sideChunks(side: PairSide, source: ByteSource, chunkElements: number, buffers: ChunkBuffers, signal?: AbortSignal): AsyncIterable<Uint8Array> {
  const chunkBytes = chunkElements * ITEMSIZE[dtypeOf(side)];
  const streamed = streamedTensor(side);
  if (streamed) {
    yield* streamTensor(source, streamed, { chunkBytes, signal, ...(chunkBytes <= buffers.chunkBytes ? { buffers } : {}) });
    return;
  }
  const whole = await readTensor(source, side.tensor, signal);
  const bytes = side.derived ? side.derived.compute(whole) : rowsOfBytes(side, whole);
  for (let at = 0; at < bytes.length; at += chunkBytes) {
    signal?.throwIfAborted();
    yield bytes.subarray(at, at + chunkBytes);
  }
}

/** The file view a side streams directly; undefined when its bytes must be computed in memory. */
function streamedTensor(side: PairSide): TensorInfo | undefined {
  if (side.derived) return undefined;
  if (!side.rows) return side.tensor;
  return isContiguous(side.tensor) ? rowSlice(side.tensor, side.rows[0], side.rows[1]) : undefined;
}

function rowsOfBytes(side: PairSide, whole: Uint8Array): Uint8Array {
  if (!side.rows) return whole;
  const rowBytes = product(side.tensor.shape.slice(1)) * ITEMSIZE[side.tensor.dtype];
  return whole.subarray(side.rows[0] * rowBytes, side.rows[1] * rowBytes);
}

export function shapeOf(side: PairSide): readonly number[] {
  if (side.derived) return side.derived.shape;
  return side.rows ? [side.rows[1] - side.rows[0], ...side.tensor.shape.slice(1)] : side.tensor.shape;
}

export function dtypeOf(side: PairSide): DType {
  return side.derived?.dtype ?? side.tensor.dtype;
}

export function bytesOf(side: PairSide): number {
  return product(shapeOf(side)) * ITEMSIZE[dtypeOf(side)];
}

function isNumeric(dtype: DType): boolean {
  return dtype !== 'complex64' && dtype !== 'complex128';
}

function aligned(bytes: Uint8Array): boolean {
  return bytes.byteOffset % 4 === 0 && bytes.length % 4 === 0;
}

function asFloat32(bytes: Uint8Array): Float32Array {
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
}

function asInt32(bytes: Uint8Array): Int32Array {
  return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
}

/** Byte equality, four bytes at a time when both chunks allow it. */
export function bytesEqual(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false;
  if (aligned(x) && aligned(y)) {
    const wx = asInt32(x);
    const wy = asInt32(y);
    for (let i = 0; i < wx.length; i++) if (wx[i] !== wy[i]) return false;
    return true;
  }
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
