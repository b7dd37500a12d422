import type { ByteSource } from '../io/byteSource';
import type { DType } from '../tensors/dtype';
import { product } from '../tensors/dtypeInfo';
import type { TensorInfo } from '../tensors/tensorInfo';
import { ChunkBuffers } from '../tensors/tensorReader';
import { alignTensors, type AlignedPair, type AlignedVia, type PairSide, type RuleAligner } from './alignment';
import type { DiffStatistics } from './diffAccumulator';
import { bytesOf, dtypeOf, measurePair, shapeOf } from './pairValues';

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
      const measured = await measurePair(pair, a.source, b.source, chunkElements, buffers!, options.signal, (bytes) => {
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

function factsOf(side: PairSide): TensorFacts {
  return { name: side.tensor.name, dtype: dtypeOf(side), shape: shapeOf(side) };
}

function rowsOf(pair: AlignedPair): Pick<PairResult, 'rows' | 'fused'> {
  if (pair.a.rows) return { rows: pair.a.rows, fused: 'a' };
  return pair.b.rows ? { rows: pair.b.rows, fused: 'b' } : {};
}

function sameShape(x: readonly number[], y: readonly number[]): boolean {
  return x.length === y.length && x.every((n, i) => n === y[i]);
}

