import type { PosEmbedBreakdown, TensorRow } from '../../protocol/messages';

/** What the breakdown needs from model detection (a subset of the AST domain's ModelDetection). */
export interface GridFacts {
  readonly clsTokens?: number;
  readonly grid?: { readonly f: number; readonly t: number };
  readonly patchSize?: readonly [number, number];
}

/** AST's AudioSet recipe overlaps patches with stride 10; SSAST pretraining used stride = patch. */
const OVERLAPPING_STRIDE = 10;

/**
 * Splits the rows of a `[1, N, D]` position embedding into class tokens and the f×t patch grid,
 * and lists which input sizes give that grid: f = (melBins − pf) / sf + 1, t = (frames − pt) / st + 1.
 */
export function posEmbedBreakdown(rows: readonly TensorRow[], facts: GridFacts): PosEmbedBreakdown | undefined {
  const row = rows.find((r) => /(^|\.)(pos_embed|position_embeddings)$/.test(r.name) && r.shape.length === 3);
  if (!row) return undefined;
  const total = row.shape[1] ?? 0;
  const hasDistToken = rows.some((r) => /(^|\.)(dist_token|distillation_token)$/.test(r.name));
  const clsTokens = facts.clsTokens ?? (hasDistToken ? 2 : 1);
  const patches = total - clsTokens;
  const grid = facts.grid && facts.grid.f * facts.grid.t === patches ? facts.grid : undefined;
  const layouts: { stride: [number, number]; melBins: number; frames: number }[] = [];
  if (grid && facts.patchSize) {
    const [pf, pt] = facts.patchSize;
    const strides: [number, number][] = [[pf, pt]];
    if (pf !== OVERLAPPING_STRIDE || pt !== OVERLAPPING_STRIDE) strides.push([OVERLAPPING_STRIDE, OVERLAPPING_STRIDE]);
    for (const [sf, st] of strides) {
      layouts.push({ stride: [sf, st], melBins: (grid.f - 1) * sf + pf, frames: (grid.t - 1) * st + pt });
    }
  }
  return {
    tensor: row.name,
    rows: total,
    clsTokens,
    patches,
    ...(grid ? { grid } : {}),
    ...(facts.patchSize ? { patchSize: facts.patchSize } : {}),
    layouts,
  };
}
