import type { MetaValue, StateDictLocation } from '../checkpointIndex';
import { TorchFormatError } from '../errors';
import { globalName, type PyObject, type PyPersistentId, type PyTensorCall, type PyValue } from '../pickle/values';
import { ITEMSIZE, product } from '../tensors/dtypeInfo';
import type { TensorInfo } from '../tensors/tensorInfo';
import { inertCall, metaLeaf, pythonKey } from './metaLeaves';
import { moduleSourceOf } from './moduleSource';
import { BadRebuildError, describeTensor, type InlineTensors, type StorageLookup, type TensorDescription } from './tensorRebuild';

/** What walking the unpickled object tree yields. */
export interface ObjectTree {
  readonly tensors: TensorInfo[];
  readonly metadata: MetaValue;
  readonly stateDicts: StateDictLocation[];
  readonly warnings: string[];
}

/** Bounds on the walk: the tree a pickle builds can be a DAG that is exponentially large as a tree. */
const LIMITS = { maxDepth: 200, maxVisits: 1_000_000, maxTensors: 100_000, maxMetaNodes: 20_000, maxListItemsShown: 200 };

/** Dict-like classes whose SETITEMS entries are the dict (their BUILD state is an attribute, e.g. `_metadata`). */
const DICT_CLASSES = new Set(['collections.OrderedDict', 'collections.defaultdict', 'builtins.dict']);

/**
 * Walks the inert value a torch pickle built: tensors get their dict path as name
 * (`state_dict.module.v.cls_token`), everything else becomes a bounded MetaValue tree.
 */
export function walkObjectTree(file: string, root: PyValue, lookup: StorageLookup, inline?: InlineTensors): ObjectTree {
  return new Walker(file, lookup, inline).run(root);
}

class Walker {
  private readonly tensors: TensorInfo[] = [];
  private readonly stateDicts: StateDictLocation[] = [];
  private readonly warnings = new Set<string>();
  private readonly ancestors = new Set<object>();
  /** Containers already shown that hold no tensors: met again, they become a reference, so shared values cost nothing. */
  private readonly shownWithoutTensors = new Set<object>();
  private visits = 0;
  /** Inside an int-keyed dict (optimizer `state`): its per-parameter dicts are not state dicts. */
  private intKeyedDepth = 0;
  private metaNodes = 0;

  constructor(private readonly file: string, private readonly lookup: StorageLookup, private readonly inline?: InlineTensors) {}

  run(root: PyValue): ObjectTree {
    const metadata = this.walk(root, []);
    return { tensors: this.tensors, metadata, stateDicts: this.stateDicts, warnings: [...this.warnings] };
  }

  /**
   * walk() of a container's item. Leaves skip the path copy: a million ints 190 levels deep would copy it a million times.
   * concat, not a spread: it sizes the array exactly, where a spread leaves room for 17 (a tensor keeps its path: 100 k × ~130 bytes).
   */
  private child(value: PyValue, path: string[], key: string): MetaValue {
    return typeof value === 'object' && value !== null ? this.walk(value, path.concat(key)) : this.walk(value, path);
  }

  private walk(value: PyValue, path: string[]): MetaValue {
    if (++this.visits > LIMITS.maxVisits) {
      this.warnings.add(`object tree has more than ${LIMITS.maxVisits} values; listing stopped there`);
      return { kind: 'ref', note: 'listing limit reached' };
    }
    if (typeof value !== 'object' || value === null) return this.meta(metaLeaf(value));
    if (path.length > LIMITS.maxDepth) {
      this.warnings.add(`values nested deeper than ${LIMITS.maxDepth} levels were not listed`);
      return { kind: 'ref', note: 'nested too deeply' };
    }
    // Tensors first, outside the ancestor bookkeeping: a rebuild call holds no containers to recurse into.
    if (value.kind === 'object' || value.kind === 'tensor-call') {
      const tensor = this.tensorOf(value, path);
      if (tensor) return { kind: 'tensor', name: this.addTensor(tensor, path) };
    }
    if (isStoragePid(value)) return { kind: 'tensor', name: this.addTensor(this.storageOf(value, path), path) };
    if (this.ancestors.has(value)) return { kind: 'ref', note: 'cycle' };
    if (this.shownWithoutTensors.has(value)) return { kind: 'ref', note: 'shared value, shown where it first appears' };
    const tensorsBefore = this.tensors.length;
    this.ancestors.add(value);
    try {
      const meta = this.walkContainer(value, path);
      if (this.tensors.length === tensorsBefore && meta.kind !== 'tensor') this.shownWithoutTensors.add(value);
      return meta;
    } finally {
      this.ancestors.delete(value);
    }
  }

  private walkContainer(value: Exclude<PyValue, null | boolean | bigint | number | string>, path: string[]): MetaValue {
    switch (value.kind) {
      case 'tuple':
      case 'list':
      case 'set':
      case 'frozenset':
        return this.sequence(value.kind === 'frozenset' ? 'set' : value.kind, value.items, path);
      case 'dict':
        return this.dict(value.keyValues, path);
      case 'object':
        return this.object(value, path);
      default:
        return this.meta(metaLeaf(value));
    }
  }

  /** A call that is not a tensor (walk looked first). */
  private object(obj: PyObject, path: string[]): MetaValue {
    const type = globalName(obj.callee) ?? moduleSourceOf(obj.callee)?.className ?? 'call result';
    if (DICT_CLASSES.has(type) || (obj.dictKeyValues.length > 0 && obj.args.length === 0 && obj.state === undefined)) {
      return this.dict(obj.dictKeyValues, path);
    }
    const inert = inertCall(obj);
    if (inert) return this.meta(inert);
    const args = obj.args.map((a, i) => this.child(a, path, String(i)));
    const state = obj.state === undefined ? undefined : this.objectState(obj.state, path);
    const listed = obj.listItems.length > 0 ? [this.sequence('list', obj.listItems, path)] : [];
    const dicted = obj.dictKeyValues.length > 0 ? [this.dict(obj.dictKeyValues, path)] : [];
    return this.meta({ kind: 'object', type, args: [...args, ...listed, ...dicted], ...(state ? { state } : {}) });
  }

  /** BUILD state: a `__dict__` names attributes, which extend the path directly (`args.lr`). */
  private objectState(state: PyValue, path: string[]): MetaValue {
    // The (dict, slots) form of __getstate__: both name attributes.
    if (typeof state === 'object' && state !== null && state.kind === 'tuple' && state.items.length === 2) {
      const parts = state.items.map((part) => (part === null ? [] : typeof part === 'object' && part.kind === 'dict' ? part.keyValues : undefined));
      if (parts[0] && parts[1]) return this.dict(parts[0].concat(parts[1]), path);
    }
    return this.walk(state, path);
  }

  /**
   * Not cached: a map of every call object costs more than describing the few met twice (shared tensors)
   * again, and describing is bounded (MAX_REBUILD_NESTING) as the visits are (LIMITS.maxVisits).
   */
  private tensorOf(obj: PyObject | PyTensorCall, path: string[]): TensorDescription | undefined {
    try {
      return describeTensor(obj, this.lookup, 0, this.inline);
    } catch (err) {
      if (!(err instanceof BadRebuildError)) throw err;
      throw new TorchFormatError(this.file, `tensor ${path.join('.') || '<root>'}: ${err.message}`);
    }
  }

  private addTensor(t: TensorDescription, path: string[]): string {
    const name = path.join('.');
    if (this.tensors.length >= LIMITS.maxTensors) {
      this.warnings.add(`more than ${LIMITS.maxTensors} tensors; the rest are not listed`);
      return name;
    }
    const itemsize = ITEMSIZE[t.dtype];
    const numel = product(t.shape);
    if (!Number.isSafeInteger(numel * itemsize)) {
      throw new TorchFormatError(this.file, `tensor ${name}: shape [${t.shape.join(', ')}] has more than 2^53 elements or bytes`);
    }
    if (t.storageOffset < 0) {
      throw new TorchFormatError(this.file, `tensor ${name} starts ${-t.storageOffset} elements before the start of storage ${t.storage.key}`);
    }
    const span = numel === 0 ? 0 : 1 + t.shape.reduce((sum, n, d) => sum + (n - 1) * t.stride[d]!, 0);
    const start = t.storage.byteStart + t.storageOffset * itemsize;
    const end = start + span * itemsize;
    // A sparse tensor is its parts, not a view of the dense size: nothing to check against one storage.
    if (t.storedBytes !== undefined) return this.pushTensor(t, name, path, numel, t.storedBytes, [t.storage.byteStart, t.storage.byteStart + t.storage.byteLength]);
    if (end > t.storage.byteStart + t.storage.byteLength) {
      throw new TorchFormatError(
        this.file,
        `tensor ${name} (shape [${t.shape.join(', ')}], offset ${t.storageOffset}) reads past the end of storage ${t.storage.key} (${t.storage.numel} elements)`,
      );
    }
    return this.pushTensor(t, name, path, numel, numel * itemsize, [start, end]);
  }

  private pushTensor(t: TensorDescription, name: string, path: string[], numel: number, bytes: number, byteRange: readonly [number, number]): string {
    // `path` is a fresh array per child (walk never mutates one), so the tensor can keep it without a copy.
    const tensor: TensorInfo = {
      name, path, dtype: t.dtype, shape: t.shape, stride: t.stride, storageOffset: t.storageOffset,
      storage: t.storage, numel, bytes, byteRange,
    };
    const extra = t.isParameter || t.layout !== undefined || t.unreadable !== undefined;
    this.tensors.push(extra ? {
      ...tensor,
      ...(t.isParameter ? { isParameter: true } : {}),
      ...(t.layout === undefined ? {} : { layout: t.layout }),
      ...(t.unreadable === undefined ? {} : { unreadable: t.unreadable }),
    } : tensor);
    return name;
  }

  /** A storage saved on its own (`torch.save(t.storage())`, or a plain pickle's embedded bytes): a 1-D tensor of its elements. */
  private storageOf(id: PyPersistentId, path: string[]): TensorDescription {
    try {
      const { storage, viewOffset, unreadable } = this.lookup(id);
      const numel = storage.numel - viewOffset;
      return {
        dtype: storage.dtype, shape: [numel], stride: [1], storageOffset: viewOffset, storage, isParameter: false, layout: 'storage',
        ...(unreadable === undefined ? {} : { unreadable }),
      };
    } catch (err) {
      if (!(err instanceof BadRebuildError)) throw err;
      throw new TorchFormatError(this.file, `storage ${path.join('.') || '<root>'}: ${err.message}`);
    }
  }

  /** `keyValues`: keys and values alternating, as PyDict holds them. */
  private dict(keyValues: readonly PyValue[], path: string[]): MetaValue {
    // Later keys win, as in Python.
    const byKey = new Map<string, PyValue>();
    let intKeyed = keyValues.length > 0;
    for (let i = 0; i < keyValues.length; i += 2) {
      byKey.set(pythonKey(keyValues[i]!), keyValues[i + 1]!);
      intKeyed &&= typeof keyValues[i] === 'bigint';
    }
    const out: [string, MetaValue][] = [];
    let tensorCount = 0;
    if (intKeyed) this.intKeyedDepth++;
    // forEach, not for…of: no [key, value] pair allocated per entry (100 k tensors in one dict).
    byKey.forEach((v, key) => {
      const child = this.child(v, path, key);
      if (child.kind === 'tensor') tensorCount++;
      out.push([key, child]);
    });
    if (intKeyed) this.intKeyedDepth--;
    if (tensorCount > 0 && tensorCount * 2 >= byKey.size && this.intKeyedDepth === 0) this.stateDicts.push({ path: path.slice(), tensorCount });
    this.metaNodes += out.length;
    if (this.metaNodes <= LIMITS.maxMetaNodes) return { kind: 'dict', entries: out };
    // Past the metadata budget, keep only tensor references: they are what the tree is for.
    const kept = out.filter(([, v]) => v.kind === 'tensor');
    return { kind: 'dict', entries: kept, ...(kept.length < out.length ? { truncated: out.length - kept.length } : {}) };
  }

  private sequence(kind: 'list' | 'tuple' | 'set', items: readonly PyValue[], path: string[]): MetaValue {
    const shown: MetaValue[] = [];
    items.forEach((item, i) => {
      const child = this.child(item, path, String(i));
      // Past the item or metadata budget, only tensor references are kept.
      if ((i < LIMITS.maxListItemsShown && this.metaNodes <= LIMITS.maxMetaNodes) || child.kind === 'tensor') shown.push(child);
    });
    this.metaNodes += shown.length;
    const truncated = items.length - shown.length;
    return { kind, items: shown, ...(truncated > 0 ? { truncated } : {}) };
  }

  private meta(value: MetaValue): MetaValue {
    this.metaNodes++;
    return value;
  }
}

/** torch.save's id of a storage (not of a module class, which legacy whole-module saves also write). */
function isStoragePid(value: PyValue): value is PyPersistentId {
  if (typeof value !== 'object' || value === null) return false;
  if (value.kind === 'storage-pid') return true;
  return value.kind === 'persistent' && typeof value.pid === 'object' && value.pid !== null && value.pid.kind === 'tuple' && value.pid.items[0] === 'storage';
}
