import type { TensorInfo } from './tensors/tensorInfo';

export type CheckpointFormat =
  | 'torch-zip' | 'torch-legacy' | 'safetensors' | 'torchscript'
  /** A plain pickle (pickle.dump), a joblib.dump file, a numpy .npy array, an .npz archive of them. */
  | 'pickle' | 'joblib' | 'numpy' | 'npz';

/** The source a legacy whole-module save (`torch.save(model)` before 1.6) keeps of each module class. */
export interface ModuleSource {
  /** `module.Class` as pickled. */
  readonly className: string;
  /** Path of the source file on the machine that saved it. */
  readonly sourceFile: string;
  readonly source: string;
}

/** Verdict of the allowlist-first global scan (see README, "Safety"). */
export type SafetyVerdict = 'safe' | 'not-weights-only' | 'dangerous';

export interface GlobalRef {
  /** `module.name` as Python would resolve it (Python 2 names mapped, e.g. `__builtin__.eval` → `builtins.eval`). */
  readonly name: string;
  readonly verdict: SafetyVerdict;
  /** Why it got that verdict, one sentence. */
  readonly reason: string;
  /** How many times the pickle names it. */
  readonly count: number;
}

export interface SafetyReport {
  readonly verdict: SafetyVerdict;
  readonly globals: readonly GlobalRef[];
  /**
   * Dangerous constructs that are not a named global, one sentence each: framing that makes CPython's file reader
   * and an in-memory reader see different programs, globals whose name is computed at load time, state written
   * into a module or class. Absent when there are none (every file torch writes).
   */
  readonly findings?: readonly string[];
}

/** Inert description of every non-tensor value: what a checkpoint holds besides tensors. */
export type MetaValue =
  | { readonly kind: 'none' }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'int'; readonly value: string }            // decimal; Python ints are unbounded
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'bytes'; readonly length: number; readonly preview: string }
  | { readonly kind: 'list' | 'tuple' | 'set'; readonly items: readonly MetaValue[]; readonly truncated?: number }
  | { readonly kind: 'dict'; readonly entries: readonly (readonly [string, MetaValue])[]; readonly truncated?: number }
  | { readonly kind: 'tensor'; readonly name: string }           // refers to TensorInfo.name
  | { readonly kind: 'object'; readonly type: string; readonly args: readonly MetaValue[]; readonly state?: MetaValue }
  | { readonly kind: 'ref'; readonly note: string };             // cycle or depth/size cut

/** A dict whose values are (mostly) tensors: a candidate state dict. */
export interface StateDictLocation {
  /** Dict path of the state dict inside the file ([] for a top-level state dict). */
  readonly path: readonly string[];
  /** Number of tensors directly in it. */
  readonly tensorCount: number;
}

/** Everything the reading core learns about a file from its metadata. */
export interface CheckpointIndex {
  readonly file: string;
  readonly format: CheckpointFormat;
  readonly fileSize: number;
  /** In file order (pickle order / safetensors header order). */
  readonly tensors: readonly TensorInfo[];
  /** The whole object tree with tensors replaced by references. */
  readonly metadata: MetaValue;
  readonly stateDicts: readonly StateDictLocation[];
  readonly warnings: readonly string[];
  readonly safety: SafetyReport;
  /** safetensors `__metadata__`; empty for torch files. */
  readonly headerMetadata: Readonly<Record<string, string>>;
  /** Legacy whole-module saves only: the module classes' source code, in pickle order. */
  readonly moduleSources?: readonly ModuleSource[];
}
