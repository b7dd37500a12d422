import type { DType } from '../tensors/dtype';
import type { TensorInfo } from '../tensors/tensorInfo';

/** How two tensors were paired: same name, same name under another wrapper, or a rule table's mapping. */
export type AlignedVia = 'name' | 'prefix' | 'hf-ast-rule' | 'qkv-slice' | 'pos-embed-adapted';

/** A tensor computed from one side's tensor before comparing (position embeddings adapted to another grid). */
export interface DerivedTensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** The derived tensor's little-endian bytes from the source tensor's contiguous bytes. */
  compute(sourceBytes: Uint8Array): Uint8Array;
}

/** One side of a pair: a whole tensor, rows [start, end) of its first axis, or a tensor derived from it. */
export interface PairSide {
  readonly tensor: TensorInfo;
  readonly rows?: readonly [number, number];
  readonly derived?: DerivedTensor;
}

export interface AlignedPair {
  readonly a: PairSide;
  readonly b: PairSide;
  readonly via: AlignedVia;
}

/** A tensor a rule expects to have no counterpart (a pretext head the conversion drops). */
export interface DroppedTensor {
  readonly side: 'a' | 'b';
  readonly tensor: TensorInfo;
  readonly reason: string;
}

export interface RuleAlignment {
  readonly pairs: readonly AlignedPair[];
  readonly dropped: readonly DroppedTensor[];
}

/**
 * Pairs what names and prefixes left unaligned, from domain knowledge the core lacks (the SSAST → HF AST
 * rule table lives in src/ast). Each tensor it returns in a pair or as dropped counts as aligned.
 */
export type RuleAligner = (a: readonly TensorInfo[], b: readonly TensorInfo[]) => RuleAlignment;

export interface Alignment {
  readonly pairs: readonly AlignedPair[];
  readonly dropped: readonly DroppedTensor[];
  readonly onlyInA: readonly TensorInfo[];
  readonly onlyInB: readonly TensorInfo[];
}

/** Wrappers training code puts around a state dict's keys: DataParallel, a nested state dict, Lightning. */
const WRAPPERS = ['module.', 'state_dict.', 'model.'];

/**
 * Pairs the tensors of two checkpoints: exact names first, then the same names once wrapper prefixes
 * are stripped from both (only where that leaves one tensor per side), then the rule aligner if given.
 */
export function alignTensors(a: readonly TensorInfo[], b: readonly TensorInfo[], ruleAligner?: RuleAligner): Alignment {
  const pairs: AlignedPair[] = [];
  const byName = new Map(b.map((t) => [t.name, t]));
  const restA: TensorInfo[] = [];
  const pairedB = new Set<TensorInfo>();
  for (const t of a) {
    const other = byName.get(t.name);
    if (other && !pairedB.has(other)) {
      pairs.push({ a: { tensor: t }, b: { tensor: other }, via: 'name' });
      pairedB.add(other);
    } else restA.push(t);
  }
  const restB = b.filter((t) => !pairedB.has(t));

  const uniqueByBareName = (tensors: readonly TensorInfo[]): Map<string, TensorInfo | null> => {
    const out = new Map<string, TensorInfo | null>();
    for (const t of tensors) {
      const bare = bareName(t.name);
      out.set(bare, out.has(bare) ? null : t);
    }
    return out;
  };
  const bareB = uniqueByBareName(restB);
  const bareA = uniqueByBareName(restA);
  const leftA: TensorInfo[] = [];
  for (const t of restA) {
    const bare = bareName(t.name);
    const other = bareB.get(bare);
    if (other && bareA.get(bare) === t) {
      pairs.push({ a: { tensor: t }, b: { tensor: other }, via: 'prefix' });
      pairedB.add(other);
    } else leftA.push(t);
  }
  const leftB = restB.filter((t) => !pairedB.has(t));

  const ruled = ruleAligner && leftA.length + leftB.length > 0 ? ruleAligner(leftA, leftB) : { pairs: [], dropped: [] };
  const used = new Set<TensorInfo>();
  for (const p of ruled.pairs) used.add(p.a.tensor).add(p.b.tensor);
  for (const d of ruled.dropped) used.add(d.tensor);
  return {
    pairs: [...pairs, ...ruled.pairs],
    dropped: ruled.dropped,
    onlyInA: leftA.filter((t) => !used.has(t)),
    onlyInB: leftB.filter((t) => !used.has(t)),
  };
}

/** The name with every leading wrapper prefix removed (`state_dict.module.v.x` → `v.x`). */
export function bareName(name: string): string {
  let bare = name;
  for (let stripped = true; stripped;) {
    stripped = false;
    for (const w of WRAPPERS) {
      if (bare.startsWith(w) && bare.length > w.length) {
        bare = bare.slice(w.length);
        stripped = true;
      }
    }
  }
  return bare;
}
