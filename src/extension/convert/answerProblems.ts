import type { ModelDetection } from '../../ast/detect';
import { validateConversionOptions, type ConversionOptions, type OptionProblem } from '../../ast/options';

/**
 * The domain's problems with the answers, plus a stride larger than the patch: the conversion
 * would run, but the model would skip spectrogram bins between patches, which no SSAST/AST
 * recipe does, so the prompts treat it as impossible.
 */
export function answerProblems(detection: ModelDetection, options: ConversionOptions): OptionProblem[] {
  const problems = validateConversionOptions(detection, options);
  for (const field of ['frequencyStride', 'timeStride'] as const) {
    if (options[field] > options.patchSize && !problems.some((p) => p.field === field)) {
      problems.push({ field, message: `${field} ${options[field]} is larger than the patch size ${options.patchSize}: the bins between patches would never be seen` });
    }
  }
  return problems;
}
