/**
 * Inert Python values built by the pickle machine. Nothing here can run code: a global is only
 * its name, and "calling" one (REDUCE, NEWOBJ, BUILD…) only records the arguments.
 * Python ints are bigint, floats are number, None is null.
 */
export type PyValue =
  | null
  | boolean
  | bigint
  | number
  | string
  | PyBytes
  | PyTuple
  | PyList
  | PyDict
  | PySet
  | PyGlobal
  | PyObject
  | PyTensorCall
  | PyPersistent
  | PyStoragePid;

export interface PyBytes {
  readonly kind: 'bytes';
  readonly bytes: Uint8Array;
  /** Offset of the first byte in the file (in the zip entry for data.pkl), for bytes stored as they are (BINBYTES…). */
  readonly offset?: number;
}
export interface PyTuple { readonly kind: 'tuple'; readonly items: readonly PyValue[] }
export interface PyList { readonly kind: 'list'; readonly items: PyValue[] }
/** Keys and values alternate (key, value, key, value…) in one array: no [key, value] array per entry (100 k tensors in one dict). */
export interface PyDict { readonly kind: 'dict'; readonly keyValues: PyValue[] }
export interface PySet { readonly kind: 'set' | 'frozenset'; readonly items: PyValue[] }

/** A class or function named by GLOBAL / STACK_GLOBAL / INST (Python 2 names already mapped). */
export interface PyGlobal { readonly kind: 'global'; readonly module: string; readonly name: string }

/** What calling `callee` would have built; the items and state it would have received are kept. */
export interface PyObject {
  readonly kind: 'object';
  readonly callee: PyValue;
  readonly args: readonly PyValue[];
  readonly kwargs?: PyValue;
  /** BUILD argument (`__setstate__` / `__dict__` update). */
  state?: PyValue;
  /** SETITEM(S) on the object (OrderedDict and other dict subclasses), keys and values alternating as in PyDict. Read-only to consumers; the unpickler replaces a shared empty array on the first item. */
  dictKeyValues: PyValue[];
  /** APPEND(S) / ADDITEMS on the object (list and set subclasses); the same as dictKeyValues. */
  listItems: PyValue[];
}

/** PERSID / BINPERSID: the persistent id is kept; the torch layer resolves it to a storage. */
export interface PyPersistent { readonly kind: 'persistent'; readonly pid: PyValue }

/**
 * The id torch.save writes for a storage, `('storage', <storage class>, key, location, numel)` (the legacy format
 * appends a None view) with a string key and location and a safe non-negative numel, kept as one record instead of
 * a wrapper, a tuple and its items (100 k storages in some files). Any other persistent id stays a PyPersistent
 * for the torch layer to judge.
 */
export interface PyStoragePid {
  readonly kind: 'storage-pid';
  readonly type: PyGlobal;
  readonly key: string;
  readonly location: string;
  readonly numel: number;
}

/** Either form of a persistent id (storagePid.ts chooses). */
export type PyPersistentId = PyPersistent | PyStoragePid;

/**
 * `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …)` with well-formed arguments, kept as
 * one record and two arrays instead of the ~9 objects of a PyObject and its tuples (100 k tensors = 100 k
 * calls, all alive while the tree is walked). Every other form stays a PyObject for the torch layer.
 */
export interface PyTensorCall {
  readonly kind: 'tensor-call';
  readonly storage: PyPersistentId;
  /** In elements, from the start of the storage the persistent id names. */
  readonly storageOffset: number;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
}

export function isGlobal(value: PyValue, module: string, name: string): boolean {
  return typeof value === 'object' && value !== null && value.kind === 'global' && value.module === module && value.name === name;
}

/** Memoized globals are one object met once per tensor: their joined name is built once, not per call. */
const globalNames = new WeakMap<PyGlobal, string>();

export function globalName(value: PyValue): string | undefined {
  if (typeof value !== 'object' || value === null || value.kind !== 'global') return undefined;
  let name = globalNames.get(value);
  if (name === undefined) {
    name = `${value.module}.${value.name}`;
    globalNames.set(value, name);
  }
  return name;
}

/**
 * Python bytes however they were pickled: BINBYTES (protocol 3+), `_codecs.encode(text, "latin1")`
 * (protocol 2, as torch writes), or `bytes()` for b'' at low protocols.
 */
export function bytesOf(value: PyValue | undefined, depth = 0): Uint8Array | undefined {
  // bytearray(bytearray(…)) nests only as deep as a hostile file wants: a few levels are real, more are not bytes.
  if (typeof value !== 'object' || value === null || depth > 4) return undefined;
  if (value.kind === 'bytes') return value.bytes;
  if (value.kind !== 'object') return undefined;
  const callee = globalName(value.callee);
  const [text] = value.args;
  if (callee === '_codecs.encode' && typeof text === 'string') return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
  if (callee === 'builtins.bytes' && value.args.length === 0) return new Uint8Array(0);
  if (callee === 'builtins.bytearray') return bytesOf(text, depth + 1);
  return undefined;
}
