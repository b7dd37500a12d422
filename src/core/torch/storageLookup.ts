import { TorchFormatError } from '../errors';
import type { PyPersistentId } from '../pickle/values';
import type { StorageRef } from '../tensors/tensorInfo';
import { parseStorageId } from './storageRecords';
import type { StorageLookup } from './tensorRebuild';

/** A StorageLookup over storages already located in the file, keyed by storage key. */
export function storageLookup(file: string, storages: ReadonlyMap<string, StorageRef>, entry?: string): StorageLookup {
  return (id: PyPersistentId) => {
    // Common case without re-parsing: the compact id torch.save writes, naming a located storage. Every
    // persistent id of the pickle was already checked by collectStorageRecords, which located these storages.
    if (id.kind === 'storage-pid') {
      const located = storages.get(id.key);
      if (located !== undefined) return { storage: located, viewOffset: 0 };
    }
    const record = parseStorageId(file, id, entry);
    const storage = storages.get(record.key);
    if (storage === undefined) throw new TorchFormatError(file, `storage ${record.key} is referenced but not stored`, entry === undefined ? {} : { entry });
    return { storage, viewOffset: record.view?.offset ?? 0 };
  };
}
