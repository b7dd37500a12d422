/**
 * Tensor rows in columns for the trip to the webview. A message from the extension host crosses
 * a process boundary (and, in VS Code for the web, a socket): 100 k row objects as JSON are ~25 MB
 * and took ~17 s to arrive on a loaded machine. Columns of typed arrays travel as binary buffers
 * (no JSON, no per-object cloning), repeated strings (dtypes, reasons) are sent once, and
 * element counts are recomputed from the shapes.
 */
import type { DType } from '../core/tensors/dtype';
import type { KeyMappingStatus } from '../ast/keyMapping';
import type { CheckpointView, DocumentView, DocumentViewWire, TargetView, TensorRow } from './messages';

export interface PackedRows {
  readonly count: number;
  readonly names: readonly string[];
  readonly storageKeys: readonly string[];
  readonly dtypes: readonly DType[];
  readonly dtypeIndex: Uint8Array;
  /** Rank of each tensor; `dims` and `strides` hold the shapes and strides back to back. */
  readonly ndim: Uint8Array;
  readonly dims: Float64Array;
  readonly strides: Float64Array;
  readonly bytes: Float64Array;
  readonly storageOffset: Float64Array;
  readonly byteStart: Float64Array;
  readonly byteEnd: Float64Array;
  readonly status: Uint8Array;
  readonly reasons: readonly string[];
  /** Index into `reasons`, −1 for none. */
  readonly reasonIndex: Int32Array;
  /** Only rows that have targets: [row, targets]. */
  readonly targets: readonly (readonly [number, readonly TargetView[]])[];
  /** Only rows with a layout or a reason their values cannot be read (sparse, quantized…): [row, layout, unreadable]. */
  readonly layouts: readonly (readonly [number, string | undefined, string | undefined])[];
}

const STATUSES: readonly KeyMappingStatus[] = ['mapped', 'dropped', 'unknown'];

export function packRows(rows: readonly TensorRow[]): PackedRows {
  const n = rows.length;
  const dtypes: DType[] = [];
  const reasons: string[] = [];
  const dtypeAt = new Map<DType, number>();
  const reasonAt = new Map<string, number>();
  let totalDims = 0;
  for (const r of rows) totalDims += r.shape.length;
  const packed = {
    count: n,
    names: rows.map((r) => r.name),
    storageKeys: rows.map((r) => r.storageKey),
    dtypes,
    dtypeIndex: new Uint8Array(n),
    ndim: new Uint8Array(n),
    dims: new Float64Array(totalDims),
    strides: new Float64Array(totalDims),
    bytes: new Float64Array(n),
    storageOffset: new Float64Array(n),
    byteStart: new Float64Array(n),
    byteEnd: new Float64Array(n),
    status: new Uint8Array(n),
    reasons,
    reasonIndex: new Int32Array(n),
    targets: [] as (readonly [number, readonly TargetView[]])[],
    layouts: [] as (readonly [number, string | undefined, string | undefined])[],
  };
  let d = 0;
  rows.forEach((r, i) => {
    let dt = dtypeAt.get(r.dtype);
    if (dt === undefined) dtypeAt.set(r.dtype, (dt = dtypes.push(r.dtype) - 1));
    packed.dtypeIndex[i] = dt;
    packed.ndim[i] = r.shape.length;
    for (let k = 0; k < r.shape.length; k++, d++) {
      packed.dims[d] = r.shape[k]!;
      packed.strides[d] = r.stride[k] ?? 0;
    }
    packed.bytes[i] = r.bytes;
    packed.storageOffset[i] = r.storageOffset;
    packed.byteStart[i] = r.byteRange[0];
    packed.byteEnd[i] = r.byteRange[1];
    packed.status[i] = STATUSES.indexOf(r.status);
    if (r.reason === undefined) packed.reasonIndex[i] = -1;
    else {
      let ri = reasonAt.get(r.reason);
      if (ri === undefined) reasonAt.set(r.reason, (ri = reasons.push(r.reason) - 1));
      packed.reasonIndex[i] = ri;
    }
    if (r.targets.length > 0) packed.targets.push([i, r.targets]);
    if (r.layout !== undefined || r.unreadable !== undefined) packed.layouts.push([i, r.layout, r.unreadable]);
  });
  return packed;
}

export function unpackRows(p: PackedRows): TensorRow[] {
  const targets = new Map(p.targets);
  const layouts = layoutsOf(p);
  const rows = new Array<TensorRow>(p.count);
  let d = 0;
  for (let i = 0; i < p.count; i++) {
    rows[i] = rowAt(p, i, d, targets, layouts);
    d += p.ndim[i]!;
  }
  return rows;
}

/** The row named `name`, unpacked alone (undefined when no row has that name). */
export function findRow(p: PackedRows, name: string): TensorRow | undefined {
  const i = p.names.indexOf(name);
  if (i < 0) return undefined;
  let d = 0;
  for (let k = 0; k < i; k++) d += p.ndim[k]!;
  return rowAt(p, i, d, new Map(p.targets), layoutsOf(p));
}

/** Row `i`, whose dims start at `d` in `dims` and `strides`. */
type RowLayouts = ReadonlyMap<number, { readonly layout: string | undefined; readonly unreadable: string | undefined }>;

/** The few rows with a layout (sparse, quantized, Fortran order) or an unreadable reason, by row index. */
function layoutsOf(p: PackedRows): RowLayouts {
  return new Map(p.layouts.map(([i, layout, unreadable]) => [i, { layout, unreadable }]));
}

function rowAt(p: PackedRows, i: number, d: number, targets: ReadonlyMap<number, readonly TargetView[]>, layouts: RowLayouts): TensorRow {
  const rank = p.ndim[i]!;
  const shape = Array.from(p.dims.subarray(d, d + rank));
  let numel = 1;
  for (const n of shape) numel *= n;
  const stride = Array.from(p.strides.subarray(d, d + rank));
  const reason = p.reasonIndex[i]! >= 0 ? p.reasons[p.reasonIndex[i]!] : undefined;
  const extra = layouts.get(i);
  return {
    name: p.names[i]!,
    dtype: p.dtypes[p.dtypeIndex[i]!]!,
    shape,
    stride,
    storageOffset: p.storageOffset[i]!,
    storageKey: p.storageKeys[i]!,
    numel,
    bytes: p.bytes[i]!,
    byteRange: [p.byteStart[i]!, p.byteEnd[i]!],
    status: STATUSES[p.status[i]!]!,
    targets: targets.get(i) ?? [],
    ...(reason !== undefined ? { reason } : {}),
    ...(extra?.layout !== undefined ? { layout: extra.layout } : {}),
    ...(extra?.unreadable !== undefined ? { unreadable: extra.unreadable } : {}),
  };
}

export function toWire(view: DocumentView): DocumentViewWire {
  if (view.kind === 'error') return view;
  const { rows, ...rest } = view;
  return { ...rest, packedRows: packRows(rows) };
}

export function fromWire(wire: DocumentViewWire): DocumentView {
  if (wire.kind === 'error') return wire;
  const { packedRows, ...rest } = wire;
  const view: CheckpointView = { ...rest, rows: unpackRows(packedRows) };
  return view;
}

/** The column buffers of `p`: moved, not copied, when the rows cross to another thread. */
export function packedRowsBuffers(p: PackedRows): ArrayBuffer[] {
  const columns = [p.dtypeIndex, p.ndim, p.dims, p.strides, p.bytes, p.storageOffset, p.byteStart, p.byteEnd, p.status, p.reasonIndex];
  return columns.map((c) => c.buffer as ArrayBuffer);
}
