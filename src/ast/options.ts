import type { HfModelKind } from './keyMapping';
import type { ModelDetection } from './detect';
import { gridOf, type PatchGrid } from './grid';

/** Every answer a conversion needs; defaults come from `defaultConversionOptions`. */
export interface ConversionOptions {
  readonly model: HfModelKind;
  readonly patchSize: number;
  readonly frequencyStride: number;
  readonly timeStride: number;
  readonly numMelBins: number;
  readonly maxLength: number;
  readonly numAttentionHeads: number;
  /** Class names for id2label; default LABEL_0 … */
  readonly labels?: readonly string[];
  /** How the head was fine-tuned: 'cls' matches HF's pooling, 'avgtok' does not (reference §3.4). */
  readonly pooling?: 'cls' | 'avgtok';
  /** Feature-extractor normalization; AudioSet statistics by default. */
  readonly mean: number;
  readonly std: number;
  readonly dtype: 'source' | 'float32' | 'float16';
  /** Accept nokd models by duplicating the class token (documented approximation). */
  readonly allowNokd?: boolean;
}

export interface OptionProblem {
  readonly field: keyof ConversionOptions;
  readonly message: string;
}

/** AudioSet + LibriSpeech filterbank statistics SSAST and AST were trained with. */
export const AUDIOSET_MEAN = -4.2677393;
export const AUDIOSET_STD = 4.5689974;
/** The adapted position embeddings are built in memory: a grid whose table passes this is refused before anything is allocated. */
export const MAX_POSITION_EMBEDDING_BYTES = 1024 * 1024 * 1024;

/** The options that keep the weights as they are: the stored grid, the head if there is one. */
export function defaultConversionOptions(detection: ModelDetection): ConversionOptions {
  const input = detection.pretrainInput.value;
  return {
    model: detection.hasHead.value ? 'ASTForAudioClassification' : 'ASTModel',
    patchSize: detection.patchSize.value[0],
    frequencyStride: input.frequencyStride,
    timeStride: input.timeStride,
    numMelBins: input.numMelBins,
    maxLength: input.maxLength,
    numAttentionHeads: detection.numAttentionHeads.value,
    mean: AUDIOSET_MEAN,
    std: AUDIOSET_STD,
    dtype: 'source',
  };
}

/** Problems with `options` for this checkpoint, one per field; [] means valid. */
export function validateConversionOptions(detection: ModelDetection, options: ConversionOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const add = (field: keyof ConversionOptions, message: string): void => { problems.push({ field, message }); };
  const positiveInt = (field: keyof ConversionOptions, value: number): boolean => {
    if (Number.isInteger(value) && value >= 1) return true;
    add(field, `${field} must be a positive integer, got ${value}`);
    return false;
  };
  const [pf] = detection.patchSize.value;
  if (positiveInt('patchSize', options.patchSize) && options.patchSize !== pf) {
    add('patchSize', `patchSize must be ${pf}: the patch projection weights are ${pf}×${pf} (only the stride can change)`);
  }
  // A stride above the patch would skip the bins between patches: no SSAST/AST recipe trains so.
  for (const field of ['frequencyStride', 'timeStride'] as const) {
    if (positiveInt(field, options[field]) && options[field] > pf) {
      add(field, `${field} ${options[field]} is larger than the patch size ${pf}: the bins between patches would never be seen`);
    }
  }
  if (positiveInt('numMelBins', options.numMelBins) && options.numMelBins < pf) {
    add('numMelBins', `numMelBins must be at least the patch size ${pf}, got ${options.numMelBins}`);
  }
  if (positiveInt('maxLength', options.maxLength) && options.maxLength < pf) {
    add('maxLength', `maxLength must be at least the patch size ${pf}, got ${options.maxLength}`);
  }
  const D = detection.hiddenSize.value;
  const gridFields: readonly (keyof ConversionOptions)[] = ['patchSize', 'frequencyStride', 'timeStride', 'numMelBins', 'maxLength'];
  if (!problems.some((p) => gridFields.includes(p.field))) {
    const { f, t } = targetGrid(options);
    const bytes = (detection.clsTokens.value + f * t) * D * 4;
    if (bytes > MAX_POSITION_EMBEDDING_BYTES) {
      add('maxLength', `numMelBins ${options.numMelBins} and maxLength ${options.maxLength} with strides ${options.frequencyStride}×${options.timeStride} give ${f} × ${t} = ${f * t} patches, whose position embeddings (${bytes} bytes as float32) pass the ${MAX_POSITION_EMBEDDING_BYTES}-byte limit`);
    }
  }
  if (positiveInt('numAttentionHeads', options.numAttentionHeads) && D % options.numAttentionHeads !== 0) {
    add('numAttentionHeads', `numAttentionHeads must divide the hidden size ${D}, got ${options.numAttentionHeads}`);
  }
  if (options.model === 'ASTForAudioClassification' && !detection.hasHead.value) {
    add('model', 'ASTForAudioClassification needs a fine-tuned head (mlp_head.*) and this checkpoint has none: choose ASTModel');
  }
  if (options.labels !== undefined && options.model === 'ASTForAudioClassification' && options.labels.length !== detection.numLabels.value) {
    add('labels', `labels: ${options.labels.length} given, the head has ${detection.numLabels.value} outputs`);
  }
  if (options.labels !== undefined && new Set(options.labels).size !== options.labels.length) {
    add('labels', 'labels must be distinct (label2id maps each name to one index)');
  }
  if (!Number.isFinite(options.mean)) add('mean', `mean must be a finite number, got ${options.mean}`);
  if (!(Number.isFinite(options.std) && options.std > 0)) add('std', `std must be a positive number, got ${options.std}`);
  if (!['source', 'float32', 'float16'].includes(options.dtype)) add('dtype', `dtype must be source, float32 or float16, got ${options.dtype}`);
  return problems;
}

/** The patch grid the options give. */
export function targetGrid(
  options: Pick<ConversionOptions, 'patchSize' | 'frequencyStride' | 'timeStride' | 'numMelBins' | 'maxLength'>,
): PatchGrid {
  return gridOf(options, [options.patchSize, options.patchSize]);
}

/** "12 × 101 = 1212 patches; position embeddings interpolated from 8 × 64". */
export function describeGrid(detection: ModelDetection, options: ConversionOptions): string {
  const to = targetGrid(options);
  const from = detection.pretrainGrid.value;
  const head = `${to.f} × ${to.t} = ${to.f * to.t} patches`;
  if (to.f === from.f && to.t === from.t) return `${head}; position embeddings kept as they are (${from.f} × ${from.t})`;
  const how = (n: number, p: number): string => (n < p ? 'cropped' : n > p ? 'interpolated' : 'kept');
  const time = how(to.t, from.t);
  const freq = how(to.f, from.f);
  const verb = time === freq ? time : `${time} in time, ${freq} in frequency,`;
  return `${head}; position embeddings ${verb} from ${from.f} × ${from.t}`;
}
