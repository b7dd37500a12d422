// How `inspect` prints a CheckpointIndex: a readable table, or one JSON object for scripts.
import type { CheckpointIndex, SafetyReport } from '../core/checkpointIndex';
import { CheckpointError, errorShape } from '../core/errors';
import { isDataTypeRef } from '../core/safety/classifyGlobals';
import { describeSafety } from '../core/safety/describeSafety';
import type { ShardSummary } from '../core/shards/shardedCheckpoint';
import type { TensorInfo } from '../core/tensors/tensorInfo';

/** What a shard index or model folder adds to a listing. */
export interface ListingLayout {
  readonly shards?: readonly ShardSummary[];
  /** Shard file of each tensor, by position in `index.tensors`. */
  readonly tensorShards?: readonly string[];
  /** config.json of a model folder. */
  readonly config?: unknown;
}

const FORMAT_NAMES: Readonly<Record<CheckpointIndex['format'], string>> = {
  'torch-zip': 'PyTorch zip (torch.save, torch ≥ 1.6)',
  'torch-legacy': 'PyTorch legacy (torch.save before 1.6)',
  safetensors: 'safetensors',
  torchscript: 'TorchScript archive (torch.jit.save)',
  pickle: 'plain pickle (pickle.dump; torch.load and pickle.load run all of it)',
  joblib: 'joblib (joblib.dump; joblib.load runs its pickle)',
  numpy: 'numpy .npy array',
  npz: 'numpy .npz archive',
};

/** `module.name` of every global torch.load(weights_only=True) would refuse. */
export function unsafeGlobals(safety: SafetyReport): string[] {
  return safety.globals.filter((g) => g.verdict !== 'safe').map((g) => g.name);
}

/** The safety object of `--json`: `findings` only when there are any, so files torch writes print as before. */
function safetyJson(safety: SafetyReport): object {
  return { verdict: safety.verdict, globals: safety.globals, ...(safety.findings ? { findings: safety.findings } : {}) };
}

/** `--json` for a file that could not be read: the error, and the verdict of what was read before it. */
export function errorJson(err: unknown): string {
  const safety = err instanceof CheckpointError ? err.safety : undefined;
  return JSON.stringify({ error: errorShape(err), ...(safety ? { safety: safetyJson(safety), unsafeGlobals: unsafeGlobals(safety) } : {}) }, null, 2);
}

/** The one-line error, naming the verdict of what was read before it (unless the message already does). */
export function errorLine(err: Error): string {
  const safety = err instanceof CheckpointError ? err.safety : undefined;
  if (safety === undefined) return err.message;
  const verdict = describeSafety(safety);
  return err.message.includes(verdict) ? err.message : `${err.message}; as far as read, ${verdict}`;
}

export function inspectJson(index: CheckpointIndex, hashes?: ReadonlyMap<TensorInfo, string>, layout: ListingLayout = {}): string {
  const { shards, tensorShards, config } = layout;
  return JSON.stringify({
    format: index.format,
    tensors: index.tensors.map((t, i) => ({
      name: t.name, dtype: t.dtype, shape: t.shape, numel: t.numel, bytes: t.bytes,
      ...(tensorShards ? { shard: tensorShards[i] } : {}),
      ...(t.layout === undefined ? {} : { layout: t.layout }),
      ...(t.unreadable === undefined ? {} : { unreadable: t.unreadable }),
      ...(hashes && t.unreadable === undefined ? { sha256: hashes.get(t) } : {}),
    })),
    ...(shards ? { shards: shards.map(({ file, tensors, bytes, missing, error }) => ({ file, tensors, bytes, ...(missing ? { missing } : {}), ...(error !== undefined ? { error } : {}) })) } : {}),
    ...(config !== undefined ? { config } : {}),
    metadata: index.metadata,
    warnings: index.warnings,
    safety: safetyJson(index.safety),
    unsafeGlobals: unsafeGlobals(index.safety),
    ...(index.moduleSources ? { moduleSources: index.moduleSources } : {}),
  }, null, 2);
}

/** Lines per piece of the table: 100 k rows never exist as one string or one array of lines. */
const ROWS_PER_PIECE = 2000;

/** The table as text pieces, each ending in a newline, to be written as they come. */
export function* inspectTable(index: CheckpointIndex, hashes?: ReadonlyMap<TensorInfo, string>, layout: ListingLayout = {}): Generator<string> {
  const shards = layout.tensorShards;
  // A layout column only where some tensor has one (sparse, quantized, Fortran order): other tables stay as they were.
  const layouts = index.tensors.some((t) => t.layout !== undefined);
  const header = ['name', 'dtype', 'shape', 'size', ...(shards ? ['shard'] : []), ...(hashes ? ['sha256'] : []), ...(layouts ? ['layout'] : [])];
  const shapeText = (t: TensorInfo): string => `[${t.shape.join(', ')}]`;
  const cellsOf = (t: TensorInfo, i: number): string[] => [
    t.name, t.dtype, shapeText(t), humanBytes(t.bytes), ...(shards ? [shards[i] ?? ''] : []),
    ...(hashes ? [hashes.get(t) ?? '-'] : []), ...(layouts ? [t.layout ?? ''] : []),
  ];
  // Widths from a first pass that keeps no cells: holding 100 k rows of cells costs ~40 MB.
  const widths = header.map((h) => h.length);
  const shardColumn = 4;
  const hashColumn = shards ? 5 : 4;
  for (let i = 0; i < index.tensors.length; i++) {
    const t = index.tensors[i]!;
    widths[0] = Math.max(widths[0]!, t.name.length);
    widths[1] = Math.max(widths[1]!, t.dtype.length);
    widths[2] = Math.max(widths[2]!, shapeText(t).length);
    widths[3] = Math.max(widths[3]!, humanBytes(t.bytes).length);
    if (shards) widths[shardColumn] = Math.max(widths[shardColumn]!, shards[i]?.length ?? 0);
    if (hashes) widths[hashColumn] = Math.max(widths[hashColumn]!, hashes.get(t)?.length ?? 1);
  }
  const last = header.length - 1;
  // Concatenation, not cells.map().join(): no throw-away array per row (100 k rows).
  const line = (cells: string[]): string => {
    let text = '';
    for (let c = 0; c < cells.length; c++) {
      const cell = cells[c]!;
      text += (c === 0 ? '' : '  ') + (c === 3 ? cell.padStart(widths[c]!) : c === last ? cell : cell.padEnd(widths[c]!));
    }
    return text.trimEnd() + '\n';
  };
  yield `${index.file}\nformat: ${FORMAT_NAMES[index.format]}, ${humanBytes(index.fileSize)} on disk\n\n${line(header)}`;
  let piece = '';
  for (let i = 0; i < index.tensors.length; i++) {
    piece += line(cellsOf(index.tensors[i]!, i));
    if ((i + 1) % ROWS_PER_PIECE === 0) {
      yield piece;
      piece = '';
    }
  }
  const totalBytes = index.tensors.reduce((sum, t) => sum + t.bytes, 0);
  const totalElements = index.tensors.reduce((sum, t) => sum + t.numel, 0);
  const footer = [
    '',
    `${index.tensors.length} tensors, ${groupThousands(totalElements)} elements, ${humanBytes(totalBytes)}`,
    safetyLine(index),
    ...(index.moduleSources ?? []).map((m) => `module source saved with the file: ${m.className} (${m.source.split('\n').length} lines, from ${m.sourceFile}); see --json moduleSources`),
    ...(layout.shards ?? []).map((s) => `shard ${s.file}: ${s.error !== undefined ? `${s.missing ? 'MISSING' : 'UNREADABLE'} (${s.tensors} tensors in the index)` : `${s.tensors} tensors, ${humanBytes(s.bytes)}`}`),
    ...index.warnings.map((w) => `warning: ${w}`),
  ];
  yield piece + footer.join('\n') + '\n';
}

function safetyLine(index: CheckpointIndex): string {
  const { verdict, globals, findings = [] } = index.safety;
  if (verdict === 'safe') return `safety: safe (only weights-only globals${globals.length ? `: ${globals.length} names` : ''})`;
  const listed = [...globals.filter((g) => g.verdict === verdict).map((g) => g.name), ...findings].join('; ');
  const others = globals.filter((g) => g.verdict === 'not-weights-only' && verdict === 'dangerous').map((g) => g.name);
  const advice = verdict === 'dangerous' ? 'do not torch.load this file' : 'torch.load(weights_only=False) would import and call these';
  const line = `safety: ${verdict.toUpperCase()}: ${listed}${others.length ? `; also not weights-only: ${others.join(', ')}` : ''} (${advice})`;
  return verdict === 'not-weights-only' ? `${line}\n${weightsOnlyAdvice(globals)}` : line;
}

/** What allowing the not-weights-only globals would mean: data types can be allowed, unknown code cannot be vouched for. */
function weightsOnlyAdvice(globals: SafetyReport['globals']): string {
  const pending = globals.filter((g) => g.verdict === 'not-weights-only');
  const data = pending.filter(isDataTypeRef).map((g) => g.name);
  const code = pending.filter((g) => !isDataTypeRef(g)).map((g) => g.name);
  const lines: string[] = [];
  if (data.length > 0) lines.push(`safety: data types torch.serialization.add_safe_globals can allow: ${data.join(', ')}`);
  if (code.length > 0) {
    lines.push(`safety: unknown code: ${code.join(', ')}. Allowing these lets the file's author run code; load with weights_only=False only if you trust the source`);
  }
  return lines.join('\n');
}

/** 1234567 → "1,234,567" without toLocaleString, whose ICU start-up costs a short command ~7 ms. */
function groupThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}
