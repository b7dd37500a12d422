import { TorchFormatError } from '../errors';
import type { PyPersistentId, PyValue } from '../pickle/values';
import type { DType } from '../tensors/dtype';
import { storageDtype } from './storageTypes';

/** What a persistent id `('storage', type, key, location, numel[, view_metadata])` says. */
export interface StorageRecord {
  readonly key: string;
  readonly dtype: DType;
  readonly numel: number;
  readonly location: string;
  /** Legacy format: this storage is a view of another, `offset` elements in. */
  readonly view?: { readonly key: string; readonly offset: number; readonly numel: number };
}

/** Called once per storage (100 k in some files): a module function, not a closure made per call. */
function badPid(file: string, entry: string | undefined, what: string): never {
  throw new TorchFormatError(file, `persistent id ${what}`, entry === undefined ? {} : { entry });
}

/** The record of either form of persistent id; the compact form is already known to be well formed but for its type. */
export function parseStorageId(file: string, id: PyPersistentId, entry?: string): StorageRecord {
  if (id.kind === 'persistent') return parseStoragePid(file, id.pid, entry);
  const dtype = storageDtype(id.type.module, id.type.name);
  if (dtype === undefined) return badPid(file, entry, `names unknown storage type ${id.type.module}.${id.type.name}`);
  return { key: id.key, dtype, numel: id.numel, location: id.location };
}

export function parseStoragePid(file: string, pid: PyValue, entry?: string): StorageRecord {
  if (typeof pid !== 'object' || pid === null || pid.kind !== 'tuple') return badPid(file, entry, 'is not a tuple');
  const [tag, type, key, location, numel, view] = pid.items;
  if (tag !== 'storage') return badPid(file, entry, `has tag ${JSON.stringify(String(tag))}, expected "storage"`);
  if (typeof type !== 'object' || type === null || type.kind !== 'global') return badPid(file, entry, 'names no storage type');
  const dtype = storageDtype(type.module, type.name);
  if (dtype === undefined) return badPid(file, entry, `names unknown storage type ${type.module}.${type.name}`);
  if (typeof key !== 'string' && typeof key !== 'bigint') return badPid(file, entry, 'has no storage key');
  if (typeof numel !== 'bigint' || numel < 0n) return badPid(file, entry, `of storage ${String(key)} has no element count`);
  const record = { key: String(key), dtype, numel: Number(numel), location: typeof location === 'string' ? location : 'cpu' };
  if (typeof view === 'object' && view !== null && view.kind === 'tuple') {
    const [viewKey, offset, viewNumel] = view.items;
    if (typeof offset !== 'bigint' || typeof viewNumel !== 'bigint') return badPid(file, entry, `of storage ${record.key} has a malformed view`);
    // The legacy format names the root storage first and the view second; tensors index the view.
    return { ...record, view: { key: String(viewKey), offset: Number(offset), numel: Number(viewNumel) } };
  }
  return record;
}

/** Every storage a pickle refers to, once per key, in first-use order. */
export function collectStorageRecords(file: string, persistents: readonly PyPersistentId[], entry?: string): StorageRecord[] {
  const byKey = new Map<string, StorageRecord>();
  for (const p of persistents) {
    const record = parseStorageId(file, p, entry);
    if (!byKey.has(record.key)) byKey.set(record.key, record);
  }
  return [...byKey.values()];
}
