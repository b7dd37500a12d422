import type { CheckpointIndex } from '../core/checkpointIndex';
import type { TensorInfo } from '../core/tensors/tensorInfo';
import { locateStateDict } from './stateDict';

/** A top-level entry of a training checkpoint left out of a comparison (optimizer state, epoch, args). */
export interface NotCompared {
  readonly name: string;
  /** Tensors inside it (0 for plain values). */
  readonly tensors: number;
}

/**
 * Which tensors of a file a comparison takes: all of them for a state dict (or a dict of state dicts);
 * for a training checkpoint — a top-level dict holding a state dict beside other things — the state
 * dict the inspector chooses (locateStateDict), the other top-level entries listed as not compared.
 */
export function comparedTensors(index: CheckpointIndex): { tensors: readonly TensorInfo[]; notCompared: NotCompared[] } {
  const all = { tensors: index.tensors, notCompared: [] };
  const top = index.metadata;
  if (top.kind !== 'dict') return all;
  const holdsStateDict = (key: string): boolean => index.stateDicts.some((s) => s.path[0] === key);
  const isTensor = (value: (typeof top.entries)[number][1]): boolean => value.kind === 'tensor';
  const training = top.entries.some(([key, value]) => !isTensor(value) && !holdsStateDict(key));
  if (!training) return all;
  const located = locateStateDict(index.tensors);
  const tensors = located.entries.map((e) => e.tensor);
  const inside = new Set(tensors);
  const counts = new Map<string, number>();
  for (const t of index.tensors) if (!inside.has(t)) counts.set(t.path[0] ?? t.name, (counts.get(t.path[0] ?? t.name) ?? 0) + 1);
  const chosenTop = located.path[0];
  const notCompared = top.entries
    .filter(([key, value]) => (located.path.length === 0 ? !isTensor(value) : key !== chosenTop))
    .map(([key]) => ({ name: key, tensors: counts.get(key) ?? 0 }));
  return { tensors, notCompared };
}
