import type { HfModelKind } from './keyMapping';
import { CLASSIFIER_ENCODER_PREFIX } from './rules';

/** The sizes an HF AST config fixes; every parameter shape follows from them. */
export interface HfDims {
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly intermediateSize: number;
  readonly patchSize: number;
  /** Patch grid (frequency rows × time columns); position embeddings have f·t + 2 rows. */
  readonly grid: { readonly f: number; readonly t: number };
  /** Classifier outputs; only used for ASTForAudioClassification. */
  readonly numLabels: number;
}

export interface HfTensorSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

/** Every parameter `model` has for `dims`, in HF's module order, names as `state_dict()` gives them. */
export function expectedHfTensors(dims: HfDims, model: HfModelKind): HfTensorSpec[] {
  const D = dims.hiddenSize;
  const I = dims.intermediateSize;
  const encoder: HfTensorSpec[] = [
    { name: 'embeddings.cls_token', shape: [1, 1, D] },
    { name: 'embeddings.distillation_token', shape: [1, 1, D] },
    { name: 'embeddings.position_embeddings', shape: [1, dims.grid.f * dims.grid.t + 2, D] },
    { name: 'embeddings.patch_embeddings.projection.weight', shape: [D, 1, dims.patchSize, dims.patchSize] },
    { name: 'embeddings.patch_embeddings.projection.bias', shape: [D] },
  ];
  for (let i = 0; i < dims.numLayers; i++) {
    const p = `encoder.layer.${i}.`;
    for (const part of ['query', 'key', 'value']) {
      encoder.push({ name: `${p}attention.attention.${part}.weight`, shape: [D, D] });
      encoder.push({ name: `${p}attention.attention.${part}.bias`, shape: [D] });
    }
    encoder.push(
      { name: `${p}attention.output.dense.weight`, shape: [D, D] },
      { name: `${p}attention.output.dense.bias`, shape: [D] },
      { name: `${p}intermediate.dense.weight`, shape: [I, D] },
      { name: `${p}intermediate.dense.bias`, shape: [I] },
      { name: `${p}output.dense.weight`, shape: [D, I] },
      { name: `${p}output.dense.bias`, shape: [D] },
      { name: `${p}layernorm_before.weight`, shape: [D] },
      { name: `${p}layernorm_before.bias`, shape: [D] },
      { name: `${p}layernorm_after.weight`, shape: [D] },
      { name: `${p}layernorm_after.bias`, shape: [D] },
    );
  }
  encoder.push({ name: 'layernorm.weight', shape: [D] }, { name: 'layernorm.bias', shape: [D] });
  if (model === 'ASTModel') return encoder;
  return [
    ...encoder.map((t) => ({ name: CLASSIFIER_ENCODER_PREFIX + t.name, shape: t.shape })),
    { name: 'classifier.layernorm.weight', shape: [D] },
    { name: 'classifier.layernorm.bias', shape: [D] },
    { name: 'classifier.dense.weight', shape: [dims.numLabels, D] },
    { name: 'classifier.dense.bias', shape: [dims.numLabels] },
  ];
}

/** Patches along one axis for an input of `length` bins/frames (HF's and SSAST's conv arithmetic). */
export function patchesAlong(length: number, patch: number, stride: number): number {
  return Math.floor((length - patch) / stride) + 1;
}
