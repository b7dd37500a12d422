import type { CheckpointIndex, CheckpointFormat } from '../core/checkpointIndex';
import type { TensorInfo } from '../core/tensors/tensorInfo';
import type { KeyMappingResult } from './keyMapping';
import type { ModelDetection, Refusal } from './detect';
import { readArchitecture } from './architecture';
import { ConversionRefusedError } from './errors';
import { ITEMSIZE } from '../core/tensors/dtypeInfo';
import { isFloatDType, type FloatDType } from './floatCodec';
import type { PatchGrid } from './grid';
import { buildHfConfig, buildPreprocessorConfig, type HfConfigJson } from './hfConfig';
import { expectedHfTensors, type HfDims } from './hfLayout';
import { mapStateDict } from './mapping';
import { describeGrid, targetGrid, validateConversionOptions, type ConversionOptions } from './options';
import { locateStateDict } from './stateDict';

export type PlannedTransform =
  | { readonly kind: 'copy' }
  /** Rows [start, end) of the source's first axis (one of q, k, v). */
  | { readonly kind: 'rows'; readonly start: number; readonly end: number }
  | { readonly kind: 'pos-embed'; readonly clsRows: number; readonly from: PatchGrid; readonly to: PatchGrid };

/** One tensor of the output model.safetensors and how it is made. */
export interface PlannedTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: FloatDType;
  readonly byteLength: number;
  readonly source: TensorInfo;
  /** The source's key in its state dict, for reports. */
  readonly sourceKey: string;
  readonly transform: PlannedTransform;
}

export interface ConversionPlan {
  readonly sourceFile: string;
  readonly sourceFormat: CheckpointFormat;
  readonly detection: ModelDetection;
  readonly options: ConversionOptions;
  readonly mapping: KeyMappingResult;
  readonly config: HfConfigJson;
  readonly preprocessorConfig: HfConfigJson;
  /** In HF module order. */
  readonly tensors: readonly PlannedTensor[];
  readonly gridDescription: string;
  readonly warnings: readonly string[];
  readonly totalBytes: number;
}

/**
 * Decides everything before a byte is written: refuses what HF AST cannot express, maps every
 * key, checks every shape against the layout the config implies, and lists each output tensor.
 */
export function planConversion(index: CheckpointIndex, detection: ModelDetection, options: ConversionOptions): ConversionPlan {
  const refuse = (reason: string, hint: string, code?: Refusal['code']): never => {
    throw new ConversionRefusedError(index.file, reason, hint, code);
  };
  const warnings: string[] = [];
  const refusal = detection.refusal;
  const nokd = refusal?.code === 'nokd' && options.allowNokd === true;
  if (refusal && !nokd) refuse(refusal.reason, refusal.hint, refusal.code);
  if (nokd) {
    warnings.push('nokd adaptation: the class token and its position were duplicated as the distillation token; '
      + 'outputs differ from the original model (one more token attends), fine-tune before use');
  }
  const problems = validateConversionOptions(detection, options);
  if (problems.length > 0) refuse(`invalid options: ${problems.map((p) => p.message).join('; ')}`, 'change the named options');

  const located = locateStateDict(index.tensors);
  const arch = readArchitecture(located);
  const to = targetGrid(options);
  const dims: HfDims = {
    hiddenSize: detection.hiddenSize.value,
    numLayers: detection.numLayers.value,
    intermediateSize: detection.intermediateSize.value,
    patchSize: options.patchSize,
    grid: to,
    numLabels: detection.numLabels.value,
  };
  const mapping = mapStateDict(located, { model: options.model, dims, duplicateClsToken: nokd });
  if (mapping.missing.length > 0) {
    refuse(`missing encoder keys: nothing fills ${mapping.missing.slice(0, 4).map((m) => m.name).join(', ')}${mapping.missing.length > 4 ? ` and ${mapping.missing.length - 4} more` : ''}`,
      'the checkpoint is incomplete or not an SSAST/AST model; check the file');
  }

  const fillers = new Map<string, { source: TensorInfo; key: string; transform: PlannedTransform }>();
  const from = detection.pretrainGrid.value;
  // Two class rows and the same grid: the embeddings are already HF's, so they stream as a plain copy.
  const posEmbedKeptAsIs = arch.clsTokens === 2 && from.f === to.f && from.t === to.t;
  for (const k of mapping.keys) {
    const entry = located.entries.find((e) => e.tensor.name === k.source);
    if (k.status !== 'mapped' || !entry) continue;
    for (const t of k.targets) {
      const transform: PlannedTransform = t.transform === 'adapt-pos-embed' && !posEmbedKeptAsIs
        ? { kind: 'pos-embed', clsRows: arch.clsTokens, from, to }
        : t.sourceRows ? { kind: 'rows', start: t.sourceRows[0], end: t.sourceRows[1] } : { kind: 'copy' };
      fillers.set(t.name, { source: entry.tensor, key: k.key, transform });
    }
  }

  const tensors: PlannedTensor[] = [];
  for (const spec of expectedHfTensors(dims, options.model)) {
    const filler = fillers.get(spec.name)!;
    const { source } = filler;
    if (!isFloatDType(source.dtype)) refuse(`inconsistent dtype: ${filler.key} is ${source.dtype}, a weight must be floating point`, 'check the file');
    const produced = producedShape(source.shape, filler.transform);
    if (!sameShape(produced, spec.shape)) {
      refuse(`inconsistent shapes: ${filler.key} [${source.shape.join(',')}] gives [${produced.join(',')}] but ${spec.name} must be [${spec.shape.join(',')}]`,
        'the file mixes weights of different model sizes; re-export it from the training code');
    }
    const dtype: FloatDType = options.dtype === 'source' ? (source.dtype as FloatDType) : options.dtype;
    const numel = spec.shape.reduce((a, b) => a * b, 1);
    tensors.push({ name: spec.name, shape: spec.shape, dtype, byteLength: numel * ITEMSIZE[dtype], source, sourceKey: filler.key, transform: filler.transform });
  }

  warnings.push(...conversionWarnings(detection, options, mapping, from, to));
  const dtypes = new Set(tensors.map((t) => t.dtype));
  return {
    sourceFile: index.file,
    sourceFormat: index.format,
    detection,
    options,
    mapping,
    config: buildHfConfig(options, dims, dtypes.size === 1 ? [...dtypes][0]! : 'float32'),
    preprocessorConfig: buildPreprocessorConfig(options),
    tensors,
    gridDescription: describeGrid(detection, options),
    warnings,
    totalBytes: tensors.reduce((a, t) => a + t.byteLength, 0),
  };
}

/** The shape a transform makes of a source shape; pos-embed checks the source grid too. */
function producedShape(source: readonly number[], transform: PlannedTransform): readonly number[] {
  switch (transform.kind) {
    case 'copy': return source;
    case 'rows': return [transform.end - transform.start, ...source.slice(1)];
    case 'pos-embed': {
      const { clsRows, from, to } = transform;
      const fits = source.length === 3 && source[0] === 1 && source[1] === clsRows + from.f * from.t;
      return fits ? [1, to.f * to.t + 2, source[2]!] : source;
    }
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function conversionWarnings(detection: ModelDetection, options: ConversionOptions, mapping: KeyMappingResult, from: PatchGrid, to: PatchGrid): string[] {
  const out: string[] = [];
  if (options.model === 'ASTForAudioClassification') {
    out.push('head LayerNorm eps: SSAST/AST\'s mlp_head LayerNorm used eps 1e-5, HF applies layer_norm_eps 1e-6 to every '
      + 'LayerNorm, classifier included; logits differ by about 1e-5 (the encoder is exact)');
    if (options.pooling === 'avgtok') {
      out.push('pooling: the head was fine-tuned on the mean of the patch tokens (ft_avgtok), HF pools (token0 + token1) / 2: '
        + 'predictions will differ; fine-tune the head again before use');
    } else if (options.pooling === undefined) {
      out.push('pooling: the weights cannot tell whether the head was fine-tuned with ft_cls (equivalent under HF) or '
        + 'ft_avgtok (SSAST\'s default, not equivalent); check the fine-tuning recipe');
    }
  } else if (detection.hasHead.value) {
    out.push('the classification head (mlp_head.*) is dropped: ASTModel has none; choose ASTForAudioClassification to keep it');
  }
  if (from.f !== to.f || from.t !== to.t) {
    out.push(`position embeddings adapted from ${from.f}×${from.t} to ${to.f}×${to.t} as SSAST's fine-tuning does; the model expects inputs of ${options.numMelBins} mel bins × ${options.maxLength} frames`);
  }
  const unknown = mapping.keys.filter((k) => k.status === 'unknown');
  if (unknown.length > 0) {
    out.push(`${unknown.length} tensors not converted, no rule knows them: ${unknown.slice(0, 5).map((k) => k.source).join(', ')}${unknown.length > 5 ? ' …' : ''}`);
  }
  return out;
}
