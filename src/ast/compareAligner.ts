import type { CheckpointIndex } from '../core/checkpointIndex';
import type { AlignedPair, DroppedTensor, PairSide, RuleAligner, RuleAlignment } from '../core/compare/alignment';
import type { ByteSource } from '../core/io/byteSource';
import type { TensorInfo } from '../core/tensors/tensorInfo';
import { readArchitecture } from './architecture';
import { describeDetection, detectModel, type ModelDetection } from './detect';
import { isFloatDType } from './floatCodec';
import { inferGridInput } from './grid';
import { mapStateDict } from './mapping';
import type { PlannedTensor } from './plan';
import { produceTensor } from './produceTensor';
import { CLASSIFIER_ENCODER_PREFIX } from './rules';
import { locateStateDict } from './stateDict';

export interface AlignerSide {
  readonly index: CheckpointIndex;
  readonly source: ByteSource;
  /** The tensors compared (the chosen state dict of a training checkpoint). */
  readonly tensors: readonly TensorInfo[];
}

/**
 * The SSAST/AST → HF AST rule table as a comparison aligner, in whichever direction the files are
 * given: a copied key pairs with its HF name, a fused qkv with each of query/key/value as a row slice,
 * position embeddings with the HF table (recomputed for the HF grid when the grids differ); keys the
 * conversion drops are `dropped`. With `readValues` it reads the `p_input_*` scalars that fix the pretraining
 * grid; without, it reads nothing and the grid is the one the shapes imply.
 */
export async function hfAstAligner(a: AlignerSide, b: AlignerSide, readValues: boolean): Promise<RuleAligner> {
  const detect = (side: AlignerSide): Promise<ModelDetection> | ModelDetection => {
    if (readValues) return detectModel({ ...side.index, tensors: side.tensors }, side.source);
    const located = locateStateDict(side.tensors);
    return describeDetection(located, readArchitecture(located));
  };
  const detections = { a: await detect(a), b: await detect(b) };
  return (restA, restB) => {
    const forward = applyRules(restA, restB, detections.a, 'a');
    const backward = applyRules(restB, restA, detections.b, 'b');
    return forward.pairs.length >= backward.pairs.length ? forward : backward;
  };
}

/** Rules applied to `ssast` (side `ssastSide` of the comparison), targets looked up among `hf`. */
function applyRules(ssast: readonly TensorInfo[], hf: readonly TensorInfo[], detection: ModelDetection, ssastSide: 'a' | 'b'): RuleAlignment {
  const hfByName = new Map(hf.map((t) => [t.name, t]));
  const model = hf.some((t) => t.name.startsWith(CLASSIFIER_ENCODER_PREFIX)) ? 'ASTForAudioClassification' : 'ASTModel';
  const located = locateStateDict(ssast);
  const mapping = mapStateDict(located, { model });
  const byName = new Map(ssast.map((t) => [t.name, t]));
  const pairs: AlignedPair[] = [];
  const dropped: DroppedTensor[] = [];
  const orient = (source: PairSide, target: TensorInfo, via: AlignedPair['via']): AlignedPair =>
    ssastSide === 'a' ? { a: source, b: { tensor: target }, via } : { a: { tensor: target }, b: source, via };
  for (const key of mapping.keys) {
    const tensor = byName.get(key.source);
    if (!tensor) continue;
    if (key.status === 'dropped') {
      dropped.push({ side: ssastSide, tensor, reason: key.reason ?? 'no HF counterpart' });
      continue;
    }
    for (const target of key.targets) {
      const hfTensor = hfByName.get(target.name);
      if (!hfTensor) continue;
      if (target.sourceRows) pairs.push(orient({ tensor, rows: target.sourceRows }, hfTensor, 'qkv-slice'));
      else if (target.transform === 'adapt-pos-embed' && !sameShape(tensor.shape, hfTensor.shape)) {
        pairs.push(orient(adaptedPositions(tensor, hfTensor, detection), hfTensor, 'pos-embed-adapted'));
      } else pairs.push(orient({ tensor }, hfTensor, 'hf-ast-rule'));
    }
  }
  // Without one pair the other file is no HF AST counterpart: its pretext heads are simply only in one file.
  return pairs.length > 0 ? { pairs, dropped } : { pairs: [], dropped: [] };
}

/**
 * The source position embeddings recomputed for the HF table's grid, as the converter computes them
 * (src/ast/posEmbed.ts), in the source dtype. Left as the plain tensor (a shape change) when the HF row
 * count gives no grid for this patch size.
 */
function adaptedPositions(source: TensorInfo, hf: TensorInfo, detection: ModelDetection): PairSide {
  const [pf, pt] = detection.patchSize.value;
  const hfRows = hf.shape[1];
  const to = hf.shape.length === 3 && hfRows !== undefined ? inferGridInput(hfRows - 2, [pf, pt])?.grid : undefined;
  const from = detection.pretrainGrid.value;
  const clsRows = detection.clsTokens.value;
  const fits = source.shape.length === 3 && source.shape[1] === clsRows + from.f * from.t;
  if (!to || !fits || !isFloatDType(source.dtype)) return { tensor: source };
  const shape = [1, 2 + to.f * to.t, source.shape[2]!];
  const planned: PlannedTensor = {
    name: hf.name, shape, dtype: source.dtype, byteLength: 0, source, sourceKey: source.name,
    transform: { kind: 'pos-embed', clsRows, from, to },
  };
  return { tensor: source, derived: { shape, dtype: source.dtype, compute: (bytes) => produceTensor(planned, bytes) } };
}

function sameShape(x: readonly number[], y: readonly number[]): boolean {
  return x.length === y.length && x.every((n, i) => n === y[i]);
}
