import type { PyTensorCall, PyValue } from './values';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The compact form of a REDUCE of `torch._utils._rebuild_tensor_v2` when its arguments are exactly what
 * torch.save writes: a persistent id, an int offset and equally long tuples of ints for size and stride. Anything
 * else returns undefined and stays a generic call, so the torch layer reports it as it always did.
 */
export function tensorCall(callee: PyValue, args: readonly PyValue[], previous: PreviousShape): PyTensorCall | undefined {
  if (typeof callee !== 'object' || callee === null || callee.kind !== 'global') return undefined;
  if (callee.name !== '_rebuild_tensor_v2' || callee.module !== 'torch._utils') return undefined;
  const [storage, offset, size, stride] = args;
  if (typeof storage !== 'object' || storage === null || (storage.kind !== 'persistent' && storage.kind !== 'storage-pid')) return undefined;
  if (typeof offset !== 'bigint' || offset < 0n || offset > MAX_SAFE) return undefined;
  const shape = naturals(size, previous.shape);
  const strides = naturals(stride, previous.stride);
  if (shape === undefined || strides === undefined || shape.length !== strides.length) return undefined;
  previous.shape = shape;
  previous.stride = strides;
  return { kind: 'tensor-call', storage, storageOffset: Number(offset), shape, stride: strides };
}

/**
 * The previous call's (frozen) size and stride, one per pickle being read: files list many same-shaped tensors
 * in a row (layers, experts), and sharing one array then keeps 2 arrays per tensor out of the heap, here and in
 * every TensorInfo.
 */
export class PreviousShape {
  shape: readonly number[] = Object.freeze([]);
  stride: readonly number[] = Object.freeze([]);
}

/** The items of a tuple of non-negative safe ints as numbers (`previous` when equal); undefined for anything else. */
function naturals(value: PyValue | undefined, previous: readonly number[]): readonly number[] | undefined {
  // Tuples only (torch.Size pickles as one): a list could still change after the call.
  if (typeof value !== 'object' || value === null || value.kind !== 'tuple') return undefined;
  let same = value.items.length === previous.length;
  for (let i = 0; i < value.items.length; i++) {
    const item = value.items[i];
    if (typeof item !== 'bigint' || item < 0n || item > MAX_SAFE) return undefined;
    same &&= Number(item) === previous[i];
  }
  return same ? previous : Object.freeze(value.items.map(Number));
}
