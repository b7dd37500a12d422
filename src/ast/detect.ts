import type { CheckpointIndex } from '../core/checkpointIndex';
import type { ByteSource } from '../core/io/byteSource';
import type { TensorInfo } from '../core/tensors/tensorInfo';
import { readTensor } from '../core/tensors/tensorReader';
import { readArchitecture, type SourceArchitecture } from './architecture';
import { gridOf, inferGridInput, type GridInput, type PatchGrid } from './grid';
import { locateStateDict, type LocatedStateDict } from './stateDict';

/** Where a detected value comes from: read off the weights, a default, or the user's answer. */
export type Provenance = 'weights' | 'default' | 'user';

export interface Detected<T> {
  readonly value: T;
  readonly source: Provenance;
  readonly note?: string;
}

export type ModelFamily = 'ssast-pretrained' | 'ssast-finetuned' | 'ast';

/**
 * Why a checkpoint cannot become an HF AST folder, and what the user can do. The hint names no
 * front end's switch: the CLI and the prompts each say how to allow a 'nokd' adaptation.
 */
export interface Refusal {
  readonly code: 'not-ast' | 'frame' | 'nokd' | 'inconsistent';
  readonly reason: string;
  readonly hint: string;
}

export interface ModelDetection {
  readonly family: Detected<ModelFamily>;
  readonly hiddenSize: Detected<number>;
  readonly numLayers: Detected<number>;
  readonly intermediateSize: Detected<number>;
  readonly numAttentionHeads: Detected<number>;
  /** (fshape, tshape) of the patch projection. */
  readonly patchSize: Detected<readonly [number, number]>;
  readonly clsTokens: Detected<number>;
  /** The patch grid the stored position embeddings belong to. */
  readonly pretrainGrid: Detected<PatchGrid>;
  /** An input size and stride giving `pretrainGrid` (the defaults that keep the weights as they are). */
  readonly pretrainInput: Detected<GridInput>;
  readonly pInputFdim: Detected<number | undefined>;
  readonly pInputTdim: Detected<number | undefined>;
  readonly numLabels: Detected<number>;
  readonly hasHead: Detected<boolean>;
  readonly stateDictPath: Detected<readonly string[]>;
  readonly keyPrefix: Detected<string>;
  /** e.g. "SSAST-Tiny, patch 16×16, pretrained, grid 8×64; position embeddings 514 = 2 + 8×64". */
  readonly summary: string;
  readonly refusal?: Refusal;
}

const SIZE_NAMES: Record<number, string> = { 192: 'Tiny', 384: 'Small', 768: 'Base' };
/** Supervised AST was only released at DeiT-Base size with 12 layers. */
const AST_HIDDEN = 768;

/**
 * Describes an SSAST/AST checkpoint from its shapes, plus the two scalars `p_input_fdim/tdim`
 * (the only values read): they fix the pretraining grid that the position embeddings hold.
 */
export async function detectModel(index: CheckpointIndex, source: ByteSource): Promise<ModelDetection> {
  const located = locateStateDict(index.tensors);
  const arch = readArchitecture(located);
  const pInput = arch.hasPretrainInput
    ? { f: await readScalar(source, entry(located, 'p_input_fdim')), t: await readScalar(source, entry(located, 'p_input_tdim')) }
    : undefined;
  return describeDetection(located, arch, pInput);
}

function entry(sd: LocatedStateDict, local: string): TensorInfo {
  const e = sd.entries.find((x) => x.local === local);
  if (!e) throw new Error(`${local} not found`);
  return e.tensor;
}

/** Detection from shapes and the optional pretraining input size; exported for synthetic tests. */
export function describeDetection(located: LocatedStateDict, arch: SourceArchitecture, pInput?: { f: number; t: number }): ModelDetection {
  const w = <T>(value: T, note?: string): Detected<T> => ({ value, source: 'weights', ...(note ? { note } : {}) });
  const d = <T>(value: T, note?: string): Detected<T> => ({ value, source: 'default', ...(note ? { note } : {}) });
  const D = arch.hiddenSize ?? 0;
  const patch = arch.patch ?? [0, 0];
  const patches = (arch.positionRows ?? 0) - arch.clsTokens;

  let gridInfo: { grid: PatchGrid; input: GridInput; fromWeights: boolean; note: string } | undefined;
  if (pInput && arch.patch) {
    const input = { numMelBins: pInput.f, maxLength: pInput.t, frequencyStride: patch[0], timeStride: patch[1] };
    gridInfo = { grid: gridOf(input, patch), input, fromWeights: true, note: `p_input_fdim/tdim = ${pInput.f}×${pInput.t}, stride = patch` };
  } else if (arch.patch && patches > 0) {
    const guess = inferGridInput(patches, patch);
    if (guess) {
      const { input } = guess;
      gridInfo = {
        ...guess, fromWeights: false,
        note: `no p_input_*; guessed from ${patches} patch positions: ${input.numMelBins} mel bins × ${input.maxLength} frames, stride ${input.frequencyStride}`,
      };
    }
  }
  const family = familyOf(arch, D);
  const heads = D > 0 && D % 64 === 0 ? D / 64 : 1;
  const grid = gridInfo?.grid ?? { f: 0, t: 0 };
  const detection: Omit<ModelDetection, 'summary' | 'refusal'> = {
    family,
    hiddenSize: w(D),
    numLayers: w(arch.numLayers),
    intermediateSize: w(arch.intermediateSize ?? 4 * D),
    numAttentionHeads: d(heads, 'cannot be read from the weights; 64 dimensions per head'),
    patchSize: w(patch),
    clsTokens: w(arch.clsTokens, arch.clsTokens === 2 ? 'cls + distillation token' : 'no distillation token (nokd)'),
    pretrainGrid: gridInfo ? (gridInfo.fromWeights ? w(grid, gridInfo.note) : d(grid, gridInfo.note)) : d(grid, 'unknown'),
    pretrainInput: gridInfo
      ? (gridInfo.fromWeights ? w(gridInfo.input, gridInfo.note) : d(gridInfo.input, gridInfo.note))
      : d({ numMelBins: 128, maxLength: 1024, frequencyStride: patch[0], timeStride: patch[1] }, 'unknown'),
    pInputFdim: pInput ? w(pInput.f) : d(undefined, 'absent'),
    pInputTdim: pInput ? w(pInput.t) : d(undefined, 'absent'),
    numLabels: w(arch.numLabels),
    hasHead: w(arch.hasHead),
    stateDictPath: w(located.path),
    keyPrefix: w(located.prefix),
  };
  const alreadyHf = located.entries.some((e) => /(^|\.)embeddings\.position_embeddings$/.test(e.key));
  const refusal = refusalOf(arch, patches, gridInfo?.grid, pInput, alreadyHf);
  return { ...detection, summary: summaryOf(detection, arch), ...(refusal ? { refusal } : {}) };
}

function familyOf(arch: SourceArchitecture, D: number): Detected<ModelFamily> {
  if (arch.hasPretrainInput) return { value: 'ssast-pretrained', source: 'weights', note: 'has p_input_fdim/tdim' };
  if (!arch.hasHead) {
    return { value: 'ssast-pretrained', source: 'weights', note: 'no classification head and no p_input_*: an encoder only' };
  }
  const astShaped = D === AST_HIDDEN && arch.numLayers === 12;
  return {
    value: astShaped ? 'ast' : 'ssast-finetuned',
    source: 'weights',
    note: 'fine-tuned SSAST and supervised AST have the same keys (head, no p_input_*); '
      + (astShaped ? 'Base size, as every released AST' : 'not Base size, so not a released AST')
      + '; both convert alike',
  };
}

function refusalOf(
  arch: SourceArchitecture, patches: number, grid: PatchGrid | undefined, pInput: { f: number; t: number } | undefined, alreadyHf: boolean,
): Refusal | undefined {
  if (alreadyHf && arch.positionRows === undefined) {
    return {
      code: 'not-ast',
      reason: 'already a Hugging Face AST state dict (embeddings.position_embeddings): nothing to convert',
      hint: 'load it with ASTModel.from_pretrained, or convert the original SSAST/AST checkpoint',
    };
  }
  if (arch.hiddenSize === undefined || arch.positionRows === undefined || !arch.patch) {
    const absent = [
      arch.positionRows === undefined ? 'v.pos_embed' : '',
      arch.patch ? '' : 'v.patch_embed.proj.weight',
      arch.hiddenSize === undefined ? 'v.cls_token' : '',
    ].filter((k) => k !== '');
    return {
      code: 'not-ast',
      reason: `not an SSAST/AST checkpoint: no ${absent.join(', ')} in any state dict`,
      hint: 'open a checkpoint saved by the SSAST or AST research code (keys like module.v.blocks.0.attn.qkv.weight)',
    };
  }
  const [pf, pt] = arch.patch;
  if (pf !== pt) {
    return {
      code: 'frame',
      reason: `frame model: patch_embed.proj.weight is [${arch.hiddenSize},1,${pf},${pt}] (${pf}×${pt} patches); HF AST only has square patches`,
      hint: 'convert a patch-based SSAST model (16×16 patches) instead; a frame model cannot be loaded by ASTModel',
    };
  }
  if (pInput && grid && grid.f * grid.t !== patches) {
    return {
      code: 'inconsistent',
      reason: `inconsistent shapes: p_input_fdim/tdim ${pInput.f}×${pInput.t} with ${pf}×${pt} patches give a ${grid.f}×${grid.t} grid, but pos_embed holds ${patches} patch positions`,
      hint: 'the file mixes weights of different models; re-export it from the training code',
    };
  }
  if (!grid) {
    return {
      code: 'inconsistent',
      reason: `inconsistent shapes: ${patches} patch positions in pos_embed match no input of 128 mel bins with ${pf}×${pt} patches`,
      hint: 'the position embeddings do not belong to a known SSAST/AST input size',
    };
  }
  const expectedLayers = arch.layerIndices.every((l, i) => l === i);
  if (arch.numLayers === 0 || !expectedLayers) {
    return {
      code: 'inconsistent',
      reason: `inconsistent shapes: transformer blocks ${arch.layerIndices.join(',') || '(none)'} are not numbered 0…${arch.numLayers - 1}`,
      hint: 'the state dict lacks encoder blocks; re-export it from the training code',
    };
  }
  if (arch.clsTokens !== 2) {
    return {
      code: 'nokd',
      reason: 'no distillation token (nokd model): HF AST needs a class and a distillation token, and f·t + 2 positions',
      hint: 'allow the nokd adaptation: the class token and its position are duplicated as the distillation token; outputs then differ from the original, fine-tune before use',
    };
  }
  return undefined;
}

function summaryOf(det: Omit<ModelDetection, 'summary' | 'refusal'>, arch: SourceArchitecture): string {
  const D = det.hiddenSize.value;
  const family = det.family.value;
  const name = `${family === 'ast' ? 'AST' : 'SSAST'}-${SIZE_NAMES[D] ?? `D${D}`}`;
  const [pf, pt] = det.patchSize.value;
  const kind = family === 'ssast-pretrained' ? 'pretrained' : 'fine-tuned';
  const { f, t } = det.pretrainGrid.value;
  const head = arch.hasHead ? `, head with ${arch.numLabels} labels` : '';
  const C = arch.clsTokens;
  return `${name}, patch ${pf}×${pt}, ${kind}${head}, grid ${f}×${t}; position embeddings ${arch.positionRows ?? 0} = ${C} + ${f}×${t}`;
}

/** A 0-d tensor's value; `p_input_*` are int64 in SSAST files. */
async function readScalar(source: ByteSource, tensor: TensorInfo): Promise<number> {
  const bytes = await readTensor(source, tensor);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (tensor.dtype) {
    case 'int64': return Number(view.getBigInt64(0, true));
    case 'int32': return view.getInt32(0, true);
    case 'float32': return view.getFloat32(0, true);
    case 'float64': return view.getFloat64(0, true);
    default: throw new Error(`${source.name}: ${tensor.name} has dtype ${tensor.dtype}, expected an integer scalar`);
  }
}
