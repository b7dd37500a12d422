/**
 * Turns what the core and the AST domain know about a file into the plain view model the webview
 * renders. Runs in the reading worker; the same function is tested on torch-written files.
 */
import type { CheckpointIndex, SafetyReport } from '../../core/checkpointIndex';
import { isDataTypeRef } from '../../core/safety/classifyGlobals';
import type { DType } from '../../core/tensors/dtype';
import type { KeyMappingResult } from '../../ast/keyMapping';
import type {
  CheckpointView,
  DTypeShare,
  ErrorView,
  FileFacts,
  MappingView,
  SafetyView,
  TargetView,
  TensorRow,
} from '../../protocol/messages';
import { CheckpointError, errorShape } from '../../core/errors';
import { errorView } from '../../protocol/errorView';
import { metadataOutline } from './metadataOutline';
import { posEmbedBreakdown, type GridFacts } from './posEmbedBreakdown';

/** The part of the AST domain's ModelDetection the editor shows. */
export interface DetectionFacts extends GridFacts {
  readonly summary: string;
  readonly refusal?: { readonly reason: string; readonly hint: string };
}

export interface ViewInputs {
  readonly file: FileFacts;
  readonly index: CheckpointIndex;
  readonly mapping: KeyMappingResult | Error;
  readonly detection: DetectionFacts | Error;
  readonly loadMs: number;
}

export function buildCheckpointView({ file, index, mapping, detection, loadMs }: ViewInputs): CheckpointView {
  const rows = tensorRows(index, mapping instanceof Error ? undefined : mapping);
  const gridFacts: GridFacts = detection instanceof Error ? {} : detection;
  const posEmbed = posEmbedBreakdown(rows, gridFacts);
  return {
    kind: 'checkpoint',
    file: { ...file, size: index.fileSize },
    format: index.format,
    tensorCount: rows.length,
    parameterCount: parameterCount(index, mapping instanceof Error ? undefined : mapping),
    dtypeMix: dtypeMix(rows),
    safety: safetyView(index.safety),
    detection:
      detection instanceof Error
        ? { error: detection.message }
        : { summary: detection.summary, ...(detection.refusal ? { refusal: detection.refusal } : {}) },
    mapping: mapping instanceof Error ? { error: mapping.message } : mappingView(mapping),
    rows,
    ...(posEmbed ? { posEmbed } : {}),
    stateDicts: index.stateDicts,
    metadata: metadataOutline(index.metadata),
    headerMetadata: index.headerMetadata,
    moduleSources: index.moduleSources ?? [],
    warnings: index.warnings,
    loadMs,
  };
}

/** Error view for anything thrown while opening: message plus the code, offset and entry the core names. */
export function buildErrorView(file: FileFacts, err: unknown): ErrorView {
  // A pickle's verdict survives its read error: the banner shows what was seen before it.
  const safety = err instanceof CheckpointError && err.safety ? { safety: safetyView(err.safety) } : {};
  return { ...errorView(file, errorShape(err)), ...safety };
}

const NO_TARGETS: readonly TargetView[] = [];

function tensorRows(index: CheckpointIndex, mapping: KeyMappingResult | undefined): TensorRow[] {
  const byName = new Map(mapping?.keys.map((k) => [k.source, k]));
  const noMapping = mapping ? undefined : 'no mapping (see header)';
  return index.tensors.map((t): TensorRow => {
    const m = byName.get(t.name);
    const targets =
      m && m.targets.length > 0
        ? m.targets.map((x): TargetView => (x.sourceRows ? { name: x.name, shape: x.shape, transform: x.transform, sourceRows: x.sourceRows } : { name: x.name, shape: x.shape, transform: x.transform }))
        : NO_TARGETS;
    return {
      name: t.name,
      dtype: t.dtype,
      shape: t.shape,
      stride: t.stride,
      storageOffset: t.storageOffset,
      storageKey: t.storage.key,
      numel: t.numel,
      bytes: t.bytes,
      byteRange: t.byteRange,
      status: m?.status ?? 'unknown',
      targets,
      reason: m ? m.reason : noMapping,
      ...(t.layout !== undefined ? { layout: t.layout } : {}),
      ...(t.unreadable !== undefined ? { unreadable: t.unreadable } : {}),
    };
  });
}

/** Parameters of the state dict the mapping used (optimizer state would otherwise double them). */
function parameterCount(index: CheckpointIndex, mapping: KeyMappingResult | undefined): number {
  const prefix = mapping ? mapping.stateDictPath : [];
  let total = 0;
  for (const t of index.tensors) {
    if (prefix.every((p, i) => t.path[i] === p)) total += t.numel;
  }
  return total;
}

function dtypeMix(rows: readonly TensorRow[]): DTypeShare[] {
  const shares = new Map<DType, { tensors: number; bytes: number }>();
  for (const r of rows) {
    const s = shares.get(r.dtype) ?? { tensors: 0, bytes: 0 };
    s.tensors++;
    s.bytes += r.bytes;
    shares.set(r.dtype, s);
  }
  return [...shares].map(([dtype, s]) => ({ dtype, ...s })).sort((a, b) => b.bytes - a.bytes);
}

/**
 * The banner's model. Only known data types go into the add_safe_globals lines: offering to allow the rest would
 * hand the user the way to run the file's code; those are listed as unknown code instead.
 */
function safetyView(safety: SafetyReport): SafetyView {
  const base = { verdict: safety.verdict, globals: safety.globals, ...(safety.findings ? { findings: safety.findings } : {}) };
  if (safety.verdict !== 'not-weights-only') return base;
  const pending = safety.globals.filter((g) => g.verdict === 'not-weights-only');
  const data = pending.filter(isDataTypeRef).map((g) => g.name);
  const code = pending.filter((g) => !isDataTypeRef(g)).map((g) => g.name);
  return { ...base, ...(data.length > 0 ? { allowlistSnippet: allowlistSnippet(data) } : {}), ...(code.length > 0 ? { unknownCode: code } : {}) };
}

/** `import a.b` lines plus the `add_safe_globals` call that lets weights_only loading accept these names. */
export function allowlistSnippet(names: readonly string[]): string {
  const modules = [...new Set(names.map((n) => n.slice(0, Math.max(0, n.lastIndexOf('.')))).filter((m) => m && m !== 'builtins'))];
  const imports = ['import torch', ...modules.sort().map((m) => `import ${m}`)];
  const objects = names.map((n) => (n.startsWith('builtins.') ? n.slice('builtins.'.length) : n));
  return `${imports.join('\n')}\ntorch.serialization.add_safe_globals([${objects.join(', ')}])`;
}

function mappingView(mapping: KeyMappingResult): MappingView {
  return {
    model: mapping.model,
    stateDictPath: mapping.stateDictPath,
    keyPrefix: mapping.keyPrefix,
    counts: mapping.counts,
    coverage: coverageLine(mapping),
    missing: mapping.missing,
  };
}

/** "137 of 147 tensors map to HF AST; 10 dropped: SSAST pretext head (8), mask token (1) …" */
export function coverageLine(mapping: KeyMappingResult): string {
  const { mapped, dropped, unknown } = mapping.counts;
  const total = mapping.keys.length;
  const parts = [`${mapped} of ${total} tensors map to HF AST`];
  if (dropped > 0) parts.push(`${dropped} dropped: ${reasonSummary(mapping, 'dropped')}`);
  if (unknown > 0) parts.push(`${unknown} unknown`);
  const missing = mapping.missing.length;
  if (missing > 0) parts.push(`${missing} HF ${missing === 1 ? 'key' : 'keys'} missing`);
  return parts.join('; ');
}

function reasonSummary(mapping: KeyMappingResult, status: 'dropped'): string {
  const counts = new Map<string, number>();
  for (const k of mapping.keys) {
    if (k.status !== status) continue;
    // The part before ';' or ',' names the kind of tensor; the rest explains, and belongs in the row.
    const short = (k.reason ?? 'no reason given').split(/[;,]/)[0]!.trim();
    counts.set(short, (counts.get(short) ?? 0) + 1);
  }
  return [...counts].map(([reason, n]) => `${reason} (${n})`).join(', ');
}
