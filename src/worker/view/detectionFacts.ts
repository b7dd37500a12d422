import type { ModelDetection } from '../../ast/detect';
import type { DetectionFacts } from './buildView';

/** The fields of a model detection the editor shows (summary, refusal, the pretraining grid). */
export function detectionFacts(d: ModelDetection): DetectionFacts {
  // For a file that is not SSAST/AST at all the summary's sizes are placeholders; say so instead.
  const notAst = d.refusal?.code === 'not-ast';
  return {
    summary: notAst ? 'Not an SSAST/AST checkpoint' : d.summary,
    ...(d.refusal ? { refusal: { reason: d.refusal.reason, hint: d.refusal.hint } } : {}),
    clsTokens: d.clsTokens.value,
    grid: d.pretrainGrid.value,
    patchSize: d.patchSize.value,
  };
}
