import { TorchFormatError } from '../errors';
import type { PyValue } from '../pickle/values';
import type { StorageRef } from '../tensors/tensorInfo';
import { parseStoragePid } from './storageRecords';
import type { StorageLookup } from './tensorRebuild';

/** A StorageLookup over storages already located in the file, keyed by storage key. */
export function storageLookup(file: string, storages: ReadonlyMap<string, StorageRef>, entry?: string): StorageLookup {
  return (pid: PyValue) => {
    const record = parseStoragePid(file, pid, entry);
    const storage = storages.get(record.key);
    if (storage === undefined) throw new TorchFormatError(file, `storage ${record.key} is referenced but not stored`, entry === undefined ? {} : { entry });
    return { storage, viewOffset: record.view?.offset ?? 0 };
  };
}
