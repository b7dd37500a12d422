// How `inspect` prints a CheckpointIndex: a readable table, or one JSON object for scripts.
import type { CheckpointIndex } from '../core/checkpointIndex';
import type { TensorInfo } from '../core/tensors/tensorInfo';

const FORMAT_NAMES: Readonly<Record<CheckpointIndex['format'], string>> = {
  'torch-zip': 'PyTorch zip (torch.save, torch ≥ 1.6)',
  'torch-legacy': 'PyTorch legacy (torch.save before 1.6)',
  safetensors: 'safetensors',
  torchscript: 'TorchScript archive (torch.jit.save)',
};

/** `module.name` of every global torch.load(weights_only=True) would refuse. */
export function unsafeGlobals(index: CheckpointIndex): string[] {
  return index.safety.globals.filter((g) => g.verdict !== 'safe').map((g) => g.name);
}

export function inspectJson(index: CheckpointIndex, hashes?: ReadonlyMap<TensorInfo, string>): string {
  return JSON.stringify({
    format: index.format,
    tensors: index.tensors.map((t) => ({
      name: t.name, dtype: t.dtype, shape: t.shape, numel: t.numel, bytes: t.bytes,
      ...(hashes ? { sha256: hashes.get(t) } : {}),
    })),
    metadata: index.metadata,
    warnings: index.warnings,
    safety: { verdict: index.safety.verdict, globals: index.safety.globals },
    unsafeGlobals: unsafeGlobals(index),
  }, null, 2);
}

export function inspectTable(index: CheckpointIndex, hashes?: ReadonlyMap<TensorInfo, string>): string {
  const header = ['name', 'dtype', 'shape', 'size', ...(hashes ? ['sha256'] : [])];
  const rows = index.tensors.map((t) => [t.name, t.dtype, `[${t.shape.join(', ')}]`, humanBytes(t.bytes), ...(hashes ? [hashes.get(t) ?? ''] : [])]);
  // A loop, not Math.max(...column): spreading 100,000 rows as arguments is slow and can overflow the stack.
  const widths = header.map((h) => h.length);
  for (const r of rows) for (let c = 0; c < r.length; c++) if (r[c]!.length > widths[c]!) widths[c] = r[c]!.length;
  const last = header.length - 1;
  // Concatenation, not cells.map().join(): no throw-away array per row (100 k rows).
  const line = (cells: string[]): string => {
    let text = '';
    for (let c = 0; c < cells.length; c++) {
      const cell = cells[c]!;
      text += (c === 0 ? '' : '  ') + (c === 3 ? cell.padStart(widths[c]!) : c === last ? cell : cell.padEnd(widths[c]!));
    }
    return text;
  };
  const totalBytes = index.tensors.reduce((sum, t) => sum + t.bytes, 0);
  const totalElements = index.tensors.reduce((sum, t) => sum + t.numel, 0);
  const out = [`${index.file}`, `format: ${FORMAT_NAMES[index.format]}, ${humanBytes(index.fileSize)} on disk`, '', line(header)];
  // A loop, not ...rows.map(line): no second 100 k-element array to spread.
  for (const r of rows) out.push(line(r));
  out.push(
    '',
    `${index.tensors.length} tensors, ${groupThousands(totalElements)} elements, ${humanBytes(totalBytes)}`,
    safetyLine(index),
    ...index.warnings.map((w) => `warning: ${w}`),
  );
  return out.join('\n');
}

function safetyLine(index: CheckpointIndex): string {
  const { verdict, globals } = index.safety;
  if (verdict === 'safe') return `safety: safe (only weights-only globals${globals.length ? `: ${globals.length} names` : ''})`;
  const listed = globals.filter((g) => g.verdict === verdict).map((g) => g.name).join(', ');
  const others = globals.filter((g) => g.verdict === 'not-weights-only' && verdict === 'dangerous').map((g) => g.name);
  const advice = verdict === 'dangerous' ? 'do not torch.load this file' : 'torch.load(weights_only=False) would import and call these';
  return `safety: ${verdict.toUpperCase()}: ${listed}${others.length ? `; also not weights-only: ${others.join(', ')}` : ''} (${advice})`;
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
