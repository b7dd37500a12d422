import { globalName, type PyObject, type PyPersistentId, type PyTensorCall, type PyValue } from '../pickle/values';
import type { DType } from '../tensors/dtype';
import { contiguousStrides, ITEMSIZE, product } from '../tensors/dtypeInfo';
import type { StorageRef } from '../tensors/tensorInfo';
import { torchDtype } from './storageTypes';

/** A tensor as its rebuild call describes it, before it gets a name. */
export interface TensorDescription {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
  /** In elements of `dtype`, from the storage's first byte. */
  readonly storageOffset: number;
  readonly storage: StorageRef;
  readonly isParameter: boolean;
  /** See TensorInfo.layout. */
  readonly layout?: string;
  /** See TensorInfo.unreadable; `storedBytes` then gives the bytes its parts take in the file. */
  readonly unreadable?: string;
  readonly storedBytes?: number;
}

/** A storage and the element offset of a legacy storage view into it. */
export interface ResolvedStorage { readonly storage: StorageRef; readonly viewOffset: number; readonly unreadable?: string }

/** Resolves a persistent id to its storage and the element offset of a legacy storage view. */
export type StorageLookup = (id: PyPersistentId) => ResolvedStorage;

/** Tensors a plain pickle carries by value, where torch.save would use persistent ids (see rawPickle.ts). */
export interface InlineTensors {
  /** The storage a `torch.storage._load_from_bytes(b'…')` call stands for; undefined when its bytes hold none. */
  storage(call: PyObject): ResolvedStorage | undefined;
  /** A tensor that is no torch rebuild call: joblib's NumpyArrayWrapper. */
  tensor(obj: PyObject): TensorDescription | undefined;
}

/** Thrown for a rebuild call whose arguments do not describe a tensor; the caller adds the file and path. */
export class BadRebuildError extends Error {}

const STORAGE_REBUILDS = new Set([
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_tensor_v3',
  'torch._utils._rebuild_qtensor',
]);
const SPARSE_REBUILDS = new Set(['torch._utils._rebuild_sparse_tensor', 'torch._utils._rebuild_sparse_csr_tensor']);
const MAX_REBUILD_NESTING = 16;
const PARAMETER_REBUILDS = new Set(['torch._utils._rebuild_parameter', 'torch._utils._rebuild_parameter_with_state']);

/**
 * The tensor a placeholder object stands for, if it is one of torch's rebuild calls
 * (`_rebuild_tensor_v2`, `_rebuild_parameter`, `_rebuild_from_type_v2`…); undefined otherwise.
 */
export function describeTensor(obj: PyObject | PyTensorCall, lookup: StorageLookup, depth = 0, inline?: InlineTensors): TensorDescription | undefined {
  if (obj.kind === 'tensor-call') return fromTensorCall(obj, lookup);
  const callee = globalName(obj.callee);
  if (callee === undefined) return undefined;
  // Real files wrap a tensor at most twice (Parameter around _rebuild_from_type_v2); a hostile one can nest without end.
  if (depth > MAX_REBUILD_NESTING) throw new BadRebuildError(`tensor rebuild calls nested more than ${MAX_REBUILD_NESTING} deep`);
  if (STORAGE_REBUILDS.has(callee)) return fromStorage(callee, obj.args, lookup, inline);
  if (SPARSE_REBUILDS.has(callee)) return sparseTensor(obj.args, (v) => asTensor(v, lookup, depth, inline));
  if (PARAMETER_REBUILDS.has(callee) || callee === 'torch.nn.parameter.Parameter') {
    const inner = asTensor(obj.args[0], lookup, depth, inline);
    return inner && { ...inner, isParameter: true };
  }
  if (callee === 'torch._tensor._rebuild_from_type_v2') {
    // (func, new_type, args, state): the tensor is func(*args); new_type only changes its class.
    const [func, newType, args] = obj.args;
    if (typeof args !== 'object' || args === null || args.kind !== 'tuple') throw new BadRebuildError('_rebuild_from_type_v2 without an argument tuple');
    const inner = asTensor({ kind: 'object', callee: func ?? null, args: args.items, dictKeyValues: [], listItems: [] }, lookup, depth, inline);
    return inner && { ...inner, isParameter: inner.isParameter || globalName(newType ?? null) === 'torch.nn.parameter.Parameter' };
  }
  return inline?.tensor(obj);
}

function asTensor(value: PyValue | undefined, lookup: StorageLookup, depth: number, inline?: InlineTensors): TensorDescription | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return value.kind === 'object' || value.kind === 'tensor-call' ? describeTensor(value, lookup, depth + 1, inline) : undefined;
}

/** The unpickler already checked the arguments (see tensorCall.ts): only the storage is left to resolve. */
function fromTensorCall(call: PyTensorCall, lookup: StorageLookup): TensorDescription {
  const { storage, viewOffset } = lookup(call.storage);
  return { dtype: storage.dtype, shape: call.shape, stride: call.stride, storageOffset: viewOffset + call.storageOffset, storage, isParameter: false };
}

function fromStorage(callee: string, args: readonly PyValue[], lookup: StorageLookup, inline?: InlineTensors): TensorDescription | undefined {
  const [storageArg, offset, size, stride] = args;
  const embedded = inline && typeof storageArg === 'object' && storageArg !== null && storageArg.kind === 'object';
  if (!embedded && (typeof storageArg !== 'object' || storageArg === null || (storageArg.kind !== 'persistent' && storageArg.kind !== 'storage-pid'))) {
    throw new BadRebuildError(`${callee} has no storage reference`);
  }
  // A plain pickle's storage is a call (`_load_from_bytes`); when its bytes hold no storage, the call is shown as it is.
  const resolved = embedded ? inline.storage(storageArg as PyObject) : lookup(storageArg as PyPersistentId);
  if (resolved === undefined) return undefined;
  const { storage, viewOffset, unreadable } = resolved;
  const shape = intTuple(size, 'size');
  const strides = intTuple(stride, 'stride');
  if (strides.length !== shape.length) throw new BadRebuildError(`size has ${shape.length} dims but stride has ${strides.length}`);
  let dtype = storage.dtype;
  if (callee === 'torch._utils._rebuild_tensor_v3') {
    const named = args[6];
    const explicit = typeof named === 'object' && named !== null && named.kind === 'global' ? torchDtype(named.module, named.name) : undefined;
    if (explicit === undefined) throw new BadRebuildError('_rebuild_tensor_v3 names no known dtype');
    dtype = explicit;
  }
  const layout = callee === 'torch._utils._rebuild_qtensor' ? quantization(args[4]) : undefined;
  return {
    dtype, shape, stride: strides, storageOffset: viewOffset + int(offset, 'storage offset'), storage, isParameter: false,
    ...(layout === undefined ? {} : { layout }), ...(unreadable === undefined ? {} : { unreadable }),
  };
}

function intTuple(value: PyValue | undefined, what: string): number[] {
  if (typeof value !== 'object' || value === null || (value.kind !== 'tuple' && value.kind !== 'list')) {
    throw new BadRebuildError(`${what} is not a tuple`);
  }
  return value.items.map((v) => int(v, what));
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function int(value: PyValue | undefined, what: string): number {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_SAFE) {
    throw new BadRebuildError(`${what} is not a non-negative integer`);
  }
  return Number(value);
}

/** `_rebuild_qtensor`'s quantizer parameters, as torch prints the qscheme: (scheme, scale, zero_point) or (scheme, scales, zero_points, axis). */
function quantization(params: PyValue | undefined): string {
  if (typeof params !== 'object' || params === null || params.kind !== 'tuple') return 'quantized';
  const [scheme, a, b, axis] = params.items;
  const name = typeof scheme === 'object' && scheme !== null && scheme.kind === 'global' ? scheme.name.replace(/_/g, '-').replace(/-affine/, ' affine') : 'quantized';
  if (params.items.length === 3) return `${name}, scale=${pyNumber(a)}, zero_point=${pyNumber(b)}`;
  return `${name}, axis=${pyNumber(axis)}, scales ${tensorParam(a)}, zero_points ${tensorParam(b)}`;
}

function pyNumber(value: PyValue | undefined): string {
  return typeof value === 'bigint' || typeof value === 'number' ? String(value) : '?';
}

/** A quantizer's per-channel parameter tensor, by dtype and shape (its values stay in the file). */
function tensorParam(value: PyValue | undefined): string {
  if (typeof value !== 'object' || value === null || value.kind !== 'tensor-call') return '?';
  return `${value.shape.length === 1 ? value.shape[0] : value.shape.join('×')} values`;
}

/**
 * `_rebuild_sparse_tensor(layout, data)` / `_rebuild_sparse_csr_tensor(layout, data)`: one tensor of the dense size, whose
 * parts (COO: indices, values; compressed: compressed and plain indices, values) are described, not read as a view.
 */
function sparseTensor(args: readonly PyValue[], part: (v: PyValue | undefined) => TensorDescription | undefined): TensorDescription {
  const [layoutArg, data] = args;
  if (typeof data !== 'object' || data === null || data.kind !== 'tuple') throw new BadRebuildError('sparse tensor rebuild without a data tuple');
  const layout = layoutName(layoutArg);
  const coo = layout === 'sparse_coo';
  const parts = data.items.slice(0, coo ? 2 : 3).map((item, i) => {
    const t = part(item);
    if (t === undefined) throw new BadRebuildError(`sparse tensor part ${i} is not a tensor`);
    return t;
  });
  const values = parts[parts.length - 1]!;
  const shape = sizeOf(data.items[parts.length]);
  const describe = (t: TensorDescription) => `${t.dtype} [${t.shape.join(', ')}]`;
  const nnz = values.shape[0] ?? 0;
  const detail = coo
    ? `indices ${describe(parts[0]!)}`
    : `compressed indices ${describe(parts[0]!)}, plain indices ${describe(parts[1]!)}`;
  const storedBytes = parts.reduce((sum, t) => sum + product(t.shape) * ITEMSIZE[t.dtype], 0);
  return {
    dtype: values.dtype, shape, stride: contiguousStrides(shape), storageOffset: values.storageOffset, storage: values.storage, isParameter: false,
    layout: `${layout}, nnz=${nnz}, ${detail}`,
    unreadable: `a ${layout} tensor is stored as indices and values, not as one strided view (statistics are not available for sparse tensors)`,
    storedBytes,
  };
}

/** `torch.serialization._get_layout('torch.sparse_coo')` or the global `torch.sparse_coo`: 'sparse_coo'. */
function layoutName(value: PyValue | undefined): string {
  if (typeof value === 'object' && value !== null) {
    if (value.kind === 'global') return value.name;
    if (value.kind === 'object' && typeof value.args[0] === 'string') return value.args[0].replace(/^torch\./, '');
  }
  return 'sparse';
}

/** `torch.Size((2, 3))` or a plain tuple. */
function sizeOf(value: PyValue | undefined): number[] {
  const inner = typeof value === 'object' && value !== null && value.kind === 'object' ? value.args[0] : value;
  return intTuple(inner, 'sparse size');
}
