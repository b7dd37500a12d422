import { TorchFormatError } from '../errors';
import type { PyValue } from '../pickle/values';
import type { StorageRef } from '../tensors/tensorInfo';
import { parseStoragePid } from './storageRecords';
import type { StorageLookup } from './tensorRebuild';

/** A StorageLookup over storages already located in the file, keyed by storage key. */
export function storageLookup(file: string, storages: ReadonlyMap<string, StorageRef>, entry?: string): StorageLookup {
  return (pid: PyValue) => {
    // Common case without re-parsing: ('storage', type, key, location, numel) naming a located storage. Every
    // persistent id of the pickle was already checked by collectStorageRecords, which located these storages.
    if (typeof pid === 'object' && pid !== null && pid.kind === 'tuple' && pid.items.length === 5) {
      const key = pid.items[2];
      const located = typeof key === 'string' ? storages.get(key) : undefined;
      if (located !== undefined) return { storage: located, viewOffset: 0 };
    }
    const record = parseStoragePid(file, pid, entry);
    const storage = storages.get(record.key);
    if (storage === undefined) throw new TorchFormatError(file, `storage ${record.key} is referenced but not stored`, entry === undefined ? {} : { entry });
    return { storage, viewOffset: record.view?.offset ?? 0 };
  };
}
