import { globalName, type PyObject, type PyPersistentId, type PyTensorCall, type PyValue } from '../pickle/values';
import type { DType } from '../tensors/dtype';
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
}

/** Resolves a persistent id to its storage and the element offset of a legacy storage view. */
export type StorageLookup = (id: PyPersistentId) => { readonly storage: StorageRef; readonly viewOffset: number };

/** Thrown for a rebuild call whose arguments do not describe a tensor; the caller adds the file and path. */
export class BadRebuildError extends Error {}

const STORAGE_REBUILDS = new Set([
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_tensor_v3',
  'torch._utils._rebuild_qtensor',
]);
const MAX_REBUILD_NESTING = 16;
const PARAMETER_REBUILDS = new Set(['torch._utils._rebuild_parameter', 'torch._utils._rebuild_parameter_with_state']);

/**
 * The tensor a placeholder object stands for, if it is one of torch's rebuild calls
 * (`_rebuild_tensor_v2`, `_rebuild_parameter`, `_rebuild_from_type_v2`…); undefined otherwise.
 */
export function describeTensor(obj: PyObject | PyTensorCall, lookup: StorageLookup, depth = 0): TensorDescription | undefined {
  if (obj.kind === 'tensor-call') return fromTensorCall(obj, lookup);
  const callee = globalName(obj.callee);
  if (callee === undefined) return undefined;
  // Real files wrap a tensor at most twice (Parameter around _rebuild_from_type_v2); a hostile one can nest without end.
  if (depth > MAX_REBUILD_NESTING) throw new BadRebuildError(`tensor rebuild calls nested more than ${MAX_REBUILD_NESTING} deep`);
  if (STORAGE_REBUILDS.has(callee)) return fromStorage(callee, obj.args, lookup);
  if (PARAMETER_REBUILDS.has(callee) || callee === 'torch.nn.parameter.Parameter') {
    const inner = asTensor(obj.args[0], lookup, depth);
    return inner && { ...inner, isParameter: true };
  }
  if (callee === 'torch._tensor._rebuild_from_type_v2') {
    // (func, new_type, args, state): the tensor is func(*args); new_type only changes its class.
    const [func, newType, args] = obj.args;
    if (typeof args !== 'object' || args === null || args.kind !== 'tuple') throw new BadRebuildError('_rebuild_from_type_v2 without an argument tuple');
    const inner = asTensor({ kind: 'object', callee: func ?? null, args: args.items, dictKeyValues: [], listItems: [] }, lookup, depth);
    return inner && { ...inner, isParameter: inner.isParameter || globalName(newType ?? null) === 'torch.nn.parameter.Parameter' };
  }
  return undefined;
}

function asTensor(value: PyValue | undefined, lookup: StorageLookup, depth: number): TensorDescription | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return value.kind === 'object' || value.kind === 'tensor-call' ? describeTensor(value, lookup, depth + 1) : undefined;
}

/** The unpickler already checked the arguments (see tensorCall.ts): only the storage is left to resolve. */
function fromTensorCall(call: PyTensorCall, lookup: StorageLookup): TensorDescription {
  const { storage, viewOffset } = lookup(call.storage);
  return { dtype: storage.dtype, shape: call.shape, stride: call.stride, storageOffset: viewOffset + call.storageOffset, storage, isParameter: false };
}

function fromStorage(callee: string, args: readonly PyValue[], lookup: StorageLookup): TensorDescription {
  const [storageArg, offset, size, stride] = args;
  if (typeof storageArg !== 'object' || storageArg === null || (storageArg.kind !== 'persistent' && storageArg.kind !== 'storage-pid')) {
    throw new BadRebuildError(`${callee} has no storage reference`);
  }
  const { storage, viewOffset } = lookup(storageArg);
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
  return { dtype, shape, stride: strides, storageOffset: viewOffset + int(offset, 'storage offset'), storage, isParameter: false };
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
