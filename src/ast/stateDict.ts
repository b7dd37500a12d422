import type { TensorInfo } from '../core/tensors/tensorInfo';
import { matchRule } from './rules';

/** A tensor of the chosen state dict, with its key as the model code names it. */
export interface StateDictEntry {
  readonly tensor: TensorInfo;
  /** The key inside the state dict, prefix included (e.g. `module.v.cls_token`). */
  readonly key: string;
  /** The key with the prefix stripped (e.g. `v.cls_token`); undefined when it lacks the prefix. */
  readonly local?: string;
}

export interface LocatedStateDict {
  /** Dict path of the state dict ([] = the file's top-level object). */
  readonly path: readonly string[];
  /** What precedes `v.pos_embed` in its key: `module.` (DataParallel), '' or e.g. `model.`. */
  readonly prefix: string;
  readonly entries: readonly StateDictEntry[];
  /** Tensors elsewhere in the file (optimizer state, EMA copies …). */
  readonly outside: readonly TensorInfo[];
}

const ANCHOR = 'v.pos_embed';

/**
 * Finds the dict holding the SSAST/AST weights: among dicts of tensors (top level, `state_dict`,
 * `model` or any nesting), the one with the most keys the rule table knows once its prefix is
 * stripped. The prefix is read off the position-embedding key, so `module.`, none, or a
 * Lightning-style `model.` all work.
 */
export function locateStateDict(tensors: readonly TensorInfo[]): LocatedStateDict {
  const groups = new Map<string, { path: string[]; tensors: TensorInfo[] }>();
  let group: { path: string[]; tensors: TensorInfo[] } | undefined;
  let previous: readonly string[] = [];
  for (const t of tensors) {
    // Neighbours nearly always share their dict: compare with the previous tensor before building a group id.
    if (group === undefined || !sameParent(previous, t.path)) {
      const path = t.path.slice(0, -1);
      const id = path.join('\u0000');
      group = groups.get(id) ?? { path, tensors: [] };
      groups.set(id, group);
    }
    group.tensors.push(t);
    previous = t.path;
  }
  let best: { path: string[]; tensors: TensorInfo[]; prefix: string; score: number } | undefined;
  for (const group of groups.values()) {
    const keys = group.tensors.map(lastKey);
    const anchor = keys.find((k) => k.endsWith(ANCHOR));
    const prefix = anchor === undefined ? guessPrefix(keys) : anchor.slice(0, anchor.length - ANCHOR.length);
    const score = keys.filter((k) => k.startsWith(prefix) && matchRule(k.slice(prefix.length))).length;
    if (!best || score > best.score || (score === best.score && group.tensors.length > best.tensors.length)) {
      best = { ...group, prefix, score };
    }
  }
  if (!best) return { path: [], prefix: '', entries: [], outside: [] };
  const prefix = best.prefix;
  const chosen = best.tensors;
  // Groups partition the tensors: when the chosen one holds them all, nothing is outside (no 100 k-entry set).
  const inside = chosen.length === tensors.length ? undefined : new Set(chosen);
  return {
    path: best.path,
    prefix,
    entries: chosen.map((tensor) => {
      const key = lastKey(tensor);
      return key.startsWith(prefix) ? { tensor, key, local: key.slice(prefix.length) } : { tensor, key };
    }),
    outside: inside === undefined ? [] : tensors.filter((t) => !inside.has(t)),
  };
}

function sameParent(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length - 1; i++) if (a[i] !== b[i]) return false;
  return true;
}

function lastKey(t: TensorInfo): string {
  return t.path[t.path.length - 1] ?? t.name;
}

/** Without a position embedding, DataParallel's prefix if most keys carry it. */
function guessPrefix(keys: readonly string[]): string {
  const prefixed = keys.filter((k) => k.startsWith('module.')).length;
  return prefixed * 2 > keys.length ? 'module.' : '';
}
