import { patchesAlong } from './hfLayout';

export interface PatchGrid {
  readonly f: number;
  readonly t: number;
}

/** An input size and stride that give a patch grid. */
export interface GridInput {
  readonly numMelBins: number;
  readonly maxLength: number;
  readonly frequencyStride: number;
  readonly timeStride: number;
}

/** Input lengths the SSAST/AST recipes use, tried first when the weights don't say. */
const COMMON_MEL_BINS = [128];
const COMMON_FRAMES = [1024, 512, 128, 100];

/**
 * Guesses the input that produced `patches` position rows when the checkpoint doesn't record
 * it (fine-tuned SSAST and AST files lack `p_input_*`): 128 mel bins, one stride for both axes
 * as every released recipe, trying stride = patch size (pretraining), then AST's 10, then the
 * others. A grid whose frame count is a recipe length (1024, 512, 128, 100) wins over one that
 * merely divides: 600 positions are 12×50 (stride 10, 512 frames), not 8×75.
 */
export function inferGridInput(patches: number, patch: readonly [number, number]): { grid: PatchGrid; input: GridInput } | undefined {
  const [pf, pt] = patch;
  // Never a stride above the patch: validation refuses it, so a default must not propose it.
  const strides = [pf, 10, ...Array.from({ length: pf }, (_, i) => pf - i)].filter((s, i, all) => s >= 1 && s <= pf && all.indexOf(s) === i);
  const candidates: { grid: PatchGrid; input: GridInput; common: boolean }[] = [];
  for (const stride of strides) {
    for (const numMelBins of COMMON_MEL_BINS) {
      if (numMelBins < pf) continue;
      const f = patchesAlong(numMelBins, pf, stride);
      if (patches % f !== 0) continue;
      const t = patches / f;
      const common = COMMON_FRAMES.find((n) => n >= pt && patchesAlong(n, pt, stride) === t);
      const maxLength = common ?? (t - 1) * stride + pt;
      candidates.push({ grid: { f, t }, input: { numMelBins, maxLength, frequencyStride: stride, timeStride: stride }, common: common !== undefined });
    }
  }
  const best = candidates.find((c) => c.common) ?? candidates[0];
  return best && { grid: best.grid, input: best.input };
}

export function gridOf(input: GridInput, patch: readonly [number, number]): PatchGrid {
  return {
    f: patchesAlong(input.numMelBins, patch[0], input.frequencyStride),
    t: patchesAlong(input.maxLength, patch[1], input.timeStride),
  };
}
