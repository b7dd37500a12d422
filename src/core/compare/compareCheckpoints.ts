import type { ByteSource } from '../io/byteSource';
import { decodeValues } from '../tensors/decode';
import type { DType } from '../tensors/dtype';
import { ITEMSIZE, product } from '../tensors/dtypeInfo';
import { rowSlice } from '../tensors/rowSlice';
import type { TensorInfo } from '../tensors/tensorInfo';
import { ChunkBuffers, isContiguous, readTensor, streamTensor } from '../tensors/tensorReader';
import { alignTensors, type AlignedPair, type AlignedVia, type PairSide, type RuleAligner } from './alignment';
import { DiffAccumulator, type DiffStatistics } from './diffAccumulator';

export type PairStatus =
  | 'equal' | 'close' | 'different' | 'shape-changed' | 'dtype-changed' | 'same-metadata'
  | 'only-in-a' | 'only-in-b' | 'dropped-by-rule';

/** One checkpoint as compared: where its bytes are and which of its tensors take part. */
export interface CompareSide {
  readonly source: ByteSource;
  readonly tensors: readonly TensorInfo[];
}

export interface CompareProgress {
  readonly pairsDone: number;
  readonly pairsTotal: number;
  /** Tensor bytes read so far, both sides together. */
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

export interface CompareOptions {
  /** false: answer from the two listings alone (`same-metadata`), reading no tensor byte. */
  readonly values?: boolean;
  /** Pairs that differ with relL2 ≤ threshold are `close`. */
  readonly threshold?: number;
  readonly align?: RuleAligner;
  /** Elements per chunk, the same on both sides whatever their dtypes; 1 Mi by default. */
  readonly chunkElements?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: CompareProgress) => void;
}

/** A tensor as one side of a result row: its name in the file and the dtype/shape compared. */
export interface TensorFacts {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
}

/** Plain data: survives JSON and structured cloning. */
export interface PairResult {
  readonly a: TensorFacts | null;
  readonly b: TensorFacts | null;
  readonly status: PairStatus;
  readonly via: AlignedVia | null;
  /** [start, end) rows of the fused tensor, for a `qkv-slice` pair. */
  readonly rows?: readonly [number, number];
  /** Which side `rows` are of. */
  readonly fused?: 'a' | 'b';
  /** Numeric pairs of equal shape whose values were read. */
  readonly statistics?: DiffStatistics;
  /** Why a rule drops the tensor (`dropped-by-rule`). */
  readonly reason?: string;
}

export interface ComparisonSummary {
  readonly equal: number;
  readonly close: number;
  readonly different: number;
  readonly shapeChanged: number;
  readonly dtypeChanged: number;
  readonly sameMetadata: number;
  readonly onlyInA: number;
  readonly onlyInB: number;
  readonly droppedByRule: number;
  /** Elements: of equal pairs, of changed pairs (close, different, shape or dtype changed; A's count), only in B, only in A. */
  readonly parameters: { readonly equal: number; readonly changed: number; readonly added: number; readonly removed: number };
}

export interface Comparison {
  readonly summary: ComparisonSummary;
  /** Aligned pairs in A's order, then dropped, only-in-a, only-in-b. */
  readonly pairs: readonly PairResult[];
}

const DEFAULT_CHUNK_ELEMENTS = 1 << 20;
/** Widest element streamed into the recycled buffers (float64, int64). */
const WIDEST_ITEM = 8;

/**
 * Aligns the tensors of A and B and compares each pair by streaming both side by side, a chunk of the
 * same elements at a time: memory is a few chunks whatever the tensor or file sizes (a derived tensor,
 * such as adapted position embeddings, is computed whole). `equal` means byte-identical contents.
 */
export async function compareCheckpoints(a: CompareSide, b: CompareSide, options: CompareOptions = {}): Promise<Comparison> {
  const alignment = alignTensors(a.tensors, b.tensors, options.align);
  const readValues = options.values !== false;
  const chunkElements = Math.max(1, Math.floor(options.chunkElements ?? DEFAULT_CHUNK_ELEMENTS));
  const valued = readValues ? alignment.pairs.filter((p) => sameShape(shapeOf(p.a), shapeOf(p.b))) : [];
  // Two recycled buffers per side (one chunk in use, one read ahead): the memory a comparison holds.
  const buffers = valued.length > 0 ? { a: new ChunkBuffers(chunkElements * WIDEST_ITEM), b: new ChunkBuffers(chunkElements * WIDEST_ITEM) } : undefined;
  const progress = { pairsDone: 0, pairsTotal: alignment.pairs.length, bytesDone: 0, bytesTotal: valued.reduce((n, p) => n + bytesOf(p.a) + bytesOf(p.b), 0) };
  const report = (): void => options.onProgress?.({ ...progress });

  const pairs: PairResult[] = [];
  for (const pair of alignment.pairs) {
    options.signal?.throwIfAborted();
    const base = { a: factsOf(pair.a), b: factsOf(pair.b), via: pair.via, ...rowsOf(pair) };
    const sameDtype = base.a.dtype === base.b.dtype;
    if (!sameShape(base.a.shape, base.b.shape)) {
      pairs.push({ ...base, status: 'shape-changed' });
    } else if (!readValues) {
      pairs.push({ ...base, status: sameDtype ? 'same-metadata' : 'dtype-changed' });
    } else {
      const measured = await comparePair(pair, a.source, b.source, chunkElements, buffers!, options.signal, (bytes) => {
        progress.bytesDone += bytes;
        report();
      });
      const statistics = measured.statistics;
      const status = measured.identical && sameDtype ? 'equal'
        : !sameDtype ? 'dtype-changed'
          : options.threshold !== undefined && statistics && statistics.relL2 <= options.threshold ? 'close' : 'different';
      pairs.push({ ...base, status, ...(statistics ? { statistics } : {}) });
    }
    progress.pairsDone++;
    report();
  }
  const facts = (t: TensorInfo): TensorFacts => ({ name: t.name, dtype: t.dtype, shape: t.shape });
  for (const d of alignment.dropped) {
    pairs.push({ a: d.side === 'a' ? facts(d.tensor) : null, b: d.side === 'b' ? facts(d.tensor) : null, status: 'dropped-by-rule', via: 'hf-ast-rule', reason: d.reason });
  }
  for (const t of alignment.onlyInA) pairs.push({ a: facts(t), b: null, status: 'only-in-a', via: null });
  for (const t of alignment.onlyInB) pairs.push({ a: null, b: facts(t), status: 'only-in-b', via: null });
  return { summary: summarize(pairs), pairs };
}

function summarize(pairs: readonly PairResult[]): ComparisonSummary {
  const count = (status: PairStatus): number => pairs.filter((p) => p.status === status).length;
  const elements = (statuses: readonly PairStatus[], side: 'a' | 'b'): number =>
    pairs.filter((p) => statuses.includes(p.status)).reduce((n, p) => n + product(p[side]!.shape), 0);
  return {
    equal: count('equal'),
    close: count('close'),
    different: count('different'),
    shapeChanged: count('shape-changed'),
    dtypeChanged: count('dtype-changed'),
    sameMetadata: count('same-metadata'),
    onlyInA: count('only-in-a'),
    onlyInB: count('only-in-b'),
    droppedByRule: count('dropped-by-rule'),
    parameters: {
      equal: elements(['equal'], 'a'),
      changed: elements(['close', 'different', 'shape-changed', 'dtype-changed'], 'a'),
      added: elements(['only-in-b'], 'b'),
      removed: elements(['only-in-a'], 'a'),
    },
  };
}

interface Measured {
  /** Every chunk byte-identical (meaningful for equal dtypes only). */
  readonly identical: boolean;
  readonly statistics?: DiffStatistics;
}

/** Streams both sides of a pair of equal shapes in lockstep, chunk by chunk. */
async function comparePair(
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

function shapeOf(side: PairSide): readonly number[] {
  if (side.derived) return side.derived.shape;
  return side.rows ? [side.rows[1] - side.rows[0], ...side.tensor.shape.slice(1)] : side.tensor.shape;
}

function dtypeOf(side: PairSide): DType {
  return side.derived?.dtype ?? side.tensor.dtype;
}

function bytesOf(side: PairSide): number {
  return product(shapeOf(side)) * ITEMSIZE[dtypeOf(side)];
}

function factsOf(side: PairSide): TensorFacts {
  return { name: side.tensor.name, dtype: dtypeOf(side), shape: shapeOf(side) };
}

function rowsOf(pair: AlignedPair): Pick<PairResult, 'rows' | 'fused'> {
  if (pair.a.rows) return { rows: pair.a.rows, fused: 'a' };
  return pair.b.rows ? { rows: pair.b.rows, fused: 'b' } : {};
}

function isNumeric(dtype: DType): boolean {
  return dtype !== 'complex64' && dtype !== 'complex128';
}

function sameShape(x: readonly number[], y: readonly number[]): boolean {
  return x.length === y.length && x.every((n, i) => n === y[i]);
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
