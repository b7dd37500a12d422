import type { LocatedStateDict } from './stateDict';
import type { TensorInfo } from '../core/tensors/tensorInfo';

/** What the shapes of an SSAST/AST state dict say about the model, without reading any value. */
export interface SourceArchitecture {
  readonly hiddenSize?: number;
  readonly numLayers: number;
  readonly intermediateSize?: number;
  /** Patch (frequency, time) from `patch_embed.proj.weight` [D, 1, fshape, tshape]. */
  readonly patch?: readonly [number, number];
  /** 2 with a distillation token, 1 without (`nokd` models). */
  readonly clsTokens: number;
  /** Rows of `pos_embed` (class tokens + patches). */
  readonly positionRows?: number;
  /** Outputs of `mlp_head.1`; 0 without a head. */
  readonly numLabels: number;
  readonly hasHead: boolean;
  readonly hasPretrainInput: boolean;
  /** Block indices found, sorted. */
  readonly layerIndices: readonly number[];
}

const READ_PREFIXES = ['v.', 'mlp_head.', 'p_input_'];

export function readArchitecture(sd: LocatedStateDict): SourceArchitecture {
  const byKey = new Map<string, TensorInfo>();
  // Only keys of the families read below: a file of 100 k unrelated keys would otherwise fill the map.
  for (const e of sd.entries) if (e.local !== undefined && READ_PREFIXES.some((p) => e.local!.startsWith(p))) byKey.set(e.local, e.tensor);
  const shape = (k: string): readonly number[] | undefined => byKey.get(k)?.shape;
  const layers = new Set<number>();
  for (const k of byKey.keys()) {
    const m = /^v\.blocks\.(\d+)\./.exec(k);
    if (m) layers.add(Number(m[1]));
  }
  const proj = shape('v.patch_embed.proj.weight');
  const pos = shape('v.pos_embed');
  const head = shape('mlp_head.1.weight');
  const hiddenSize = pos?.[2] ?? shape('v.cls_token')?.[2] ?? proj?.[0];
  const layerIndices = [...layers].sort((a, b) => a - b);
  return {
    ...(hiddenSize !== undefined ? { hiddenSize } : {}),
    numLayers: layerIndices.length,
    ...(shape('v.blocks.0.mlp.fc1.weight') ? { intermediateSize: shape('v.blocks.0.mlp.fc1.weight')![0] } : {}),
    ...(proj && proj.length === 4 ? { patch: [proj[2], proj[3]] as const } : {}),
    clsTokens: byKey.has('v.dist_token') ? 2 : 1,
    ...(pos && pos.length === 3 ? { positionRows: pos[1] } : {}),
    numLabels: head?.[0] ?? 0,
    hasHead: byKey.has('mlp_head.1.weight'),
    hasPretrainInput: byKey.has('p_input_fdim') && byKey.has('p_input_tdim'),
    layerIndices,
  };
}
