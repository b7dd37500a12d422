import type { CheckpointIndex } from '../core/checkpointIndex';
import type { HfModelKind, KeyMapping, KeyMappingResult, MappedTarget } from './keyMapping';
import { readArchitecture, type SourceArchitecture } from './architecture';
import { expectedHfTensors, type HfDims, type HfTensorSpec } from './hfLayout';
import { inferGridInput } from './grid';
import { CLASSIFIER_ENCODER_PREFIX, expandTarget, matchRule } from './rules';
import { locateStateDict, type LocatedStateDict } from './stateDict';

export interface MappingOptions {
  readonly model: HfModelKind;
  /** The HF layout the result is checked against (position rows included). */
  readonly dims?: HfDims;
  /** nokd adaptation: the class token also fills the distillation token. */
  readonly duplicateClsToken?: boolean;
}

/**
 * Applies the rule table to a checkpoint: per tensor mapped / dropped / unknown, and the HF
 * keys nothing fills. Reads names and shapes only. Without options the model kind follows the
 * weights (a head gives ASTForAudioClassification) and positions keep their stored grid.
 */
export function mapCheckpoint(index: CheckpointIndex, opts?: { model?: HfModelKind }): KeyMappingResult {
  const located = locateStateDict(index.tensors);
  const arch = readArchitecture(located);
  const model = opts?.model ?? (arch.hasHead ? 'ASTForAudioClassification' : 'ASTModel');
  const dims = storedDims(arch);
  return mapStateDict(located, { model, ...(dims ? { dims } : {}) });
}

/** The HF layout that keeps a checkpoint's own grid; undefined when the shapes don't describe an AST. */
export function storedDims(arch: SourceArchitecture): HfDims | undefined {
  if (arch.hiddenSize === undefined || arch.positionRows === undefined || !arch.patch) return undefined;
  const patches = arch.positionRows - arch.clsTokens;
  const grid = inferGridInput(patches, arch.patch)?.grid ?? { f: 1, t: patches };
  return {
    hiddenSize: arch.hiddenSize,
    numLayers: arch.numLayers,
    intermediateSize: arch.intermediateSize ?? 4 * arch.hiddenSize,
    patchSize: arch.patch[0],
    grid,
    numLabels: arch.numLabels,
  };
}

export function mapStateDict(located: LocatedStateDict, opts: MappingOptions): KeyMappingResult {
  const expected = new Map<string, HfTensorSpec>();
  if (opts.dims) for (const spec of expectedHfTensors(opts.dims, opts.model)) expected.set(spec.name, spec);
  const encoderPrefix = opts.model === 'ASTForAudioClassification' ? CLASSIFIER_ENCODER_PREFIX : '';
  const filled = new Set<string>();
  const keys: KeyMapping[] = [];
  const sdPath = located.path;
  // Built once: a file of 100 k unrelated keys makes this loop the hot path.
  const lacksPrefix = `key lacks the state dict's prefix "${located.prefix}"`;

  for (const entry of located.entries) {
    const found = entry.local === undefined ? undefined : matchRule(entry.local);
    if (!found) {
      const reason = entry.local === undefined ? lacksPrefix : 'no rule knows this key';
      keys.push({ source: entry.tensor.name, key: entry.key, status: 'unknown', targets: NO_TARGETS, reason });
      continue;
    }
    const base = { source: entry.tensor.name, key: entry.key };
    const { rule, groups } = found;
    if (rule.transform === 'drop' || (rule.headOnly && opts.model === 'ASTModel')) {
      keys.push({ ...base, status: 'dropped', targets: NO_TARGETS, reason: rule.reason ?? 'no HF counterpart', rule: rule.id });
      continue;
    }
    const names = (rule.targets ?? []).map((t) => (rule.headOnly ? '' : encoderPrefix) + expandTarget(t, groups));
    if (opts.duplicateClsToken && rule.id === 'cls-token') names.push(`${encoderPrefix}embeddings.distillation_token`);
    const source = entry.tensor.shape;
    const targets: MappedTarget[] = names.map((name, i) => {
      if (rule.transform === 'split-qkv') {
        const rows = Math.floor((source[0] ?? 0) / 3);
        return {
          name,
          shape: expected.get(name)?.shape ?? [rows, ...source.slice(1)],
          sourceRows: [i * rows, (i + 1) * rows] as const,
          transform: rule.transform,
        };
      }
      return { name, shape: expected.get(name)?.shape ?? source, transform: rule.transform };
    });
    for (const t of targets) filled.add(t.name);
    keys.push({ ...base, status: 'mapped', targets, rule: rule.id });
  }
  for (const t of located.outside) {
    keys.push({ source: t.name, key: t.name, status: 'unknown', targets: [], reason: `outside the state dict ${describePath(sdPath)}` });
  }
  const missing = [...expected.values()].filter((s) => !filled.has(s.name)).map((s) => ({ name: s.name, shape: s.shape }));
  const counts = { mapped: 0, dropped: 0, unknown: 0 };
  for (const k of keys) counts[k.status]++;
  return {
    model: opts.model,
    stateDictPath: sdPath,
    keyPrefix: located.prefix,
    keys,
    missing,
    counts,
  };
}

/** Shared by every unknown or dropped key (frozen: nothing may add to it). */
const NO_TARGETS: readonly MappedTarget[] = Object.freeze([]);

function describePath(path: readonly string[]): string {
  return path.length === 0 ? '(top level)' : path.map((p) => `["${p}"]`).join('');
}
