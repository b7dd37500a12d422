// A Hugging Face AST folder's config.json against its weights: the parameter names and shapes the config
// implies (hfLayout) compared with the tensors found, every contradiction one warning.
import type { TensorInfo } from '../core/tensors/tensorInfo';
import { dimsFromConfig, type HfConfigJson } from './hfConfig';
import { expectedHfTensors } from './hfLayout';
import { CLASSIFIER_ENCODER_PREFIX } from './rules';

export const HF_AST_MODEL_TYPE = 'audio-spectrogram-transformer';
/** Names listed per kind of contradiction; the rest are counted. */
const NAMES_SHOWN = 5;

/** Contradictions between an AST config.json and the weights; [] when they agree or the config is not an AST one. */
export function checkAstConfig(config: unknown, tensors: readonly TensorInfo[]): string[] {
  if (typeof config !== 'object' || config === null || (config as HfConfigJson).model_type !== HF_AST_MODEL_TYPE) return [];
  const json = config as HfConfigJson;
  // save_pretrained always writes `architectures`; a hand-written config may not: take the kind the weights have.
  const withArchitecture = Array.isArray(json.architectures) ? json : {
    ...json,
    architectures: [tensors.some((t) => t.name.startsWith(CLASSIFIER_ENCODER_PREFIX)) ? 'ASTForAudioClassification' : 'ASTModel'],
  };
  let expected;
  try {
    const { model, dims } = dimsFromConfig(withArchitecture);
    expected = expectedHfTensors(dims, model);
  } catch (err) {
    return [`config.json cannot be checked against the weights: ${err instanceof Error ? err.message : String(err)}`];
  }
  const found = new Map(tensors.map((t) => [t.name, t]));
  const expectedNames = new Set(expected.map((e) => e.name));
  const missing = expected.filter((e) => !found.has(e.name)).map((e) => e.name);
  const shapes = expected.flatMap((e) => {
    const t = found.get(e.name);
    return t && !sameShape(t.shape, e.shape) ? [`${e.name} is [${t.shape.join(', ')}], config.json implies [${e.shape.join(', ')}]`] : [];
  });
  const unexpected = tensors.filter((t) => !expectedNames.has(t.name)).map((t) => t.name);
  const warnings: string[] = [];
  if (missing.length) warnings.push(`config.json implies ${missing.length} tensors the weights lack: ${listed(missing)}`);
  warnings.push(...shapes.slice(0, NAMES_SHOWN).map((s) => `config.json contradicts the weights: ${s}`));
  if (shapes.length > NAMES_SHOWN) warnings.push(`config.json contradicts the shapes of ${shapes.length - NAMES_SHOWN} more tensors`);
  if (unexpected.length) warnings.push(`the weights hold ${unexpected.length} tensors config.json does not imply: ${listed(unexpected)}`);
  return warnings;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

function listed(names: readonly string[]): string {
  return names.slice(0, NAMES_SHOWN).join(', ') + (names.length > NAMES_SHOWN ? `, and ${names.length - NAMES_SHOWN} more` : '');
}
