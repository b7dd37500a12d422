import type { HfModelKind } from './keyMapping';
import type { HfDims } from './hfLayout';
import type { ConversionOptions } from './options';
import { targetGrid } from './options';

/** timm's LayerNorm eps: with it HF reproduces the SSAST/AST encoder exactly (reference §2, §6). */
export const TIMM_LAYER_NORM_EPS = 1e-6;

export type HfConfigJson = Record<string, unknown>;

/** config.json for `ASTModel` / `ASTForAudioClassification.from_pretrained`. */
export function buildHfConfig(
  opts: ConversionOptions,
  arch: { hiddenSize: number; numLayers: number; intermediateSize: number; numLabels: number },
  torchDtype: string,
): HfConfigJson {
  const config: HfConfigJson = {
    architectures: [opts.model],
    model_type: 'audio-spectrogram-transformer',
    hidden_size: arch.hiddenSize,
    num_hidden_layers: arch.numLayers,
    num_attention_heads: opts.numAttentionHeads,
    intermediate_size: arch.intermediateSize,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.0,
    attention_probs_dropout_prob: 0.0,
    initializer_range: 0.02,
    layer_norm_eps: TIMM_LAYER_NORM_EPS,
    patch_size: opts.patchSize,
    qkv_bias: true,
    frequency_stride: opts.frequencyStride,
    time_stride: opts.timeStride,
    max_length: opts.maxLength,
    num_mel_bins: opts.numMelBins,
    torch_dtype: torchDtype,
  };
  if (opts.model === 'ASTForAudioClassification') {
    const labels = opts.labels ?? Array.from({ length: arch.numLabels }, (_, i) => `LABEL_${i}`);
    config.id2label = Object.fromEntries(labels.map((l, i) => [String(i), l]));
    config.label2id = Object.fromEntries(labels.map((l, i) => [l, i]));
  }
  return config;
}

/** preprocessor_config.json for `ASTFeatureExtractor` (inputs normalized as (x − mean) / (2·std)). */
export function buildPreprocessorConfig(opts: ConversionOptions): HfConfigJson {
  return {
    feature_extractor_type: 'ASTFeatureExtractor',
    feature_size: 1,
    sampling_rate: 16000,
    num_mel_bins: opts.numMelBins,
    max_length: opts.maxLength,
    do_normalize: true,
    mean: opts.mean,
    std: opts.std,
    padding_side: 'right',
    padding_value: 0.0,
    return_attention_mask: false,
  };
}

/**
 * The layout a written config.json implies, read back from the JSON alone: what verification
 * checks the safetensors against (so a wrong config cannot pass with matching weights).
 */
export function dimsFromConfig(config: HfConfigJson): { model: HfModelKind; dims: HfDims } {
  const num = (k: string): number => {
    const v = config[k];
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`config.json: "${k}" is not an integer`);
    return v;
  };
  const arch = Array.isArray(config.architectures) ? config.architectures[0] : undefined;
  if (arch !== 'ASTModel' && arch !== 'ASTForAudioClassification') throw new Error(`config.json: unknown architecture ${String(arch)}`);
  const patchSize = num('patch_size');
  const grid = targetGrid({
    patchSize, frequencyStride: num('frequency_stride'), timeStride: num('time_stride'),
    numMelBins: num('num_mel_bins'), maxLength: num('max_length'),
  });
  const id2label = config.id2label;
  return {
    model: arch,
    dims: {
      hiddenSize: num('hidden_size'),
      numLayers: num('num_hidden_layers'),
      intermediateSize: num('intermediate_size'),
      patchSize,
      grid,
      numLabels: id2label && typeof id2label === 'object' ? Object.keys(id2label).length : 0,
    },
  };
}
