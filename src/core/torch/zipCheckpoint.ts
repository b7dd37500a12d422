import type { CheckpointIndex } from '../checkpointIndex';
import { TorchFormatError } from '../errors';
import { unpickle, type UnpickleResult } from '../pickle/unpickler';
import { safetyReport } from '../safety/classifyGlobals';
import { withSafety } from '../safety/describeSafety';
import { ITEMSIZE } from '../tensors/dtypeInfo';
import type { StorageRef } from '../tensors/tensorInfo';
import type { ZipArchive, ZipEntry } from '../zip/zipArchive';
import { walkObjectTree } from './objectTree';
import { collectStorageRecords, type StorageRecord } from './storageRecords';
import { storageLookup } from './storageLookup';

export const MAX_DATA_PKL = 1024 * 1024 * 1024;

/** The `data.pkl` entry of a torch zip: under any prefix (torch uses the file stem, `archive`…). */
export function findDataPkl(archive: ZipArchive): ZipEntry | undefined {
  const candidates = archive.entries.filter((e) => e.name === 'data.pkl' || e.name.endsWith('/data.pkl'));
  return candidates.sort((a, b) => a.name.length - b.name.length)[0];
}

/** True for archives written by torch.jit.save: code and constants next to data.pkl. */
export function isTorchScript(archive: ZipArchive, prefix: string): boolean {
  return archive.find(`${prefix}constants.pkl`) !== undefined || archive.entries.some((e) => e.name.startsWith(`${prefix}code/`));
}

/** Lists a torch zip checkpoint (torch ≥ 1.6) or TorchScript archive from data.pkl and the local headers only. */
export async function readTorchZip(archive: ZipArchive, dataPkl: ZipEntry): Promise<CheckpointIndex> {
  const file = archive.source.name;
  const prefix = dataPkl.name.slice(0, -'data.pkl'.length);
  const torchScript = isTorchScript(archive, prefix);
  const warnings: string[] = [];
  const bigEndian = await readByteOrder(archive, prefix);
  if (bigEndian) warnings.push('storages are big-endian (byteorder entry); values are byte-swapped when read');

  const pickled = await readDataPkl(archive, dataPkl);
  const safety = safetyReport(pickled);
  // Records passed on, not kept in a local: only the located storages need to outlive this line (100 k records).
  const tree = await withSafety(() => safety, async () => {
    const storages = await locateStorages(archive, prefix, collectStorageRecords(file, pickled.persistents, dataPkl.name), bigEndian);
    return walkObjectTree(file, pickled.value, storageLookup(file, storages, dataPkl.name));
  });
  if (torchScript) {
    warnings.unshift('TorchScript archive (torch.jit.save): tensors listed from the module attributes in data.pkl; torch.jit.load would run its code/');
  }
  return {
    file,
    format: torchScript ? 'torchscript' : 'torch-zip',
    fileSize: archive.source.size,
    tensors: tree.tensors,
    metadata: tree.metadata,
    stateDicts: tree.stateDicts,
    warnings: [...warnings, ...tree.warnings],
    safety,
    headerMetadata: {},
  };
}

/** data.pkl unpickled in a frame of its own, so its bytes (12 MB for 100 k tensors) are not alive during the walk. */
async function readDataPkl(archive: ZipArchive, dataPkl: ZipEntry): Promise<UnpickleResult> {
  return unpickle(await archive.readEntry(dataPkl, MAX_DATA_PKL), { file: archive.source.name, entry: dataPkl.name });
}

async function readByteOrder(archive: ZipArchive, prefix: string): Promise<boolean> {
  const entry = archive.find(`${prefix}byteorder`);
  if (entry === undefined) return false;
  const text = new TextDecoder().decode(await archive.readEntry(entry, 16)).trim();
  if (text !== 'little' && text !== 'big') throw new TorchFormatError(archive.source.name, `byteorder is "${text}", expected "little" or "big"`, { entry: entry.name });
  return text === 'big';
}

/** Finds each storage's bytes from the local headers (read in groups), never the data itself. */
async function locateStorages(archive: ZipArchive, prefix: string, records: readonly StorageRecord[], bigEndian: boolean): Promise<Map<string, StorageRef>> {
  // Entries only, checked as found: no per-storage record of (record, entry, length) kept across the header reads.
  const entries = storageEntries(archive, `${prefix}data/`, records);
  const offsets = await archive.dataOffsets(entries);
  const storages = new Map<string, StorageRef>();
  records.forEach((record, i) => {
    const { key, dtype, numel } = record;
    const byteStart = offsets[i]!;
    const byteLength = numel * ITEMSIZE[dtype];
    storages.set(key, bigEndian ? { key, dtype, numel, byteStart, byteLength, bigEndian } : { key, dtype, numel, byteStart, byteLength });
  });
  return storages;
}

/**
 * The zip entry of each record's storage, checked against what data.pkl says. Found through an index of
 * the `data/` entries by key (the name after `data/`), built here and dropped on return: looking up
 * 100 k built names in a map of every entry cost 50 ms more.
 */
function storageEntries(archive: ZipArchive, dataDir: string, records: readonly StorageRecord[]): ZipEntry[] {
  const file = archive.source.name;
  const byKey = new Map<string, ZipEntry>();
  for (const e of archive.entries) if (e.name.startsWith(dataDir)) byKey.set(e.name.slice(dataDir.length), e);
  return records.map((record) => {
    const entry = byKey.get(record.key);
    const where = (): { entry: string } => ({ entry: `${dataDir}${record.key}` });
    if (entry === undefined) throw new TorchFormatError(file, `storage ${record.key} is referenced by data.pkl but its entry is missing`, where());
    if (entry.method !== 0) throw new TorchFormatError(file, 'storage entry is compressed; torch writes storages uncompressed', where());
    const byteLength = record.numel * ITEMSIZE[record.dtype];
    if (entry.uncompressedSize < byteLength) {
      throw new TorchFormatError(file, `storage holds ${entry.uncompressedSize} bytes but data.pkl says ${record.numel} ${record.dtype} elements (${byteLength} bytes)`, where());
    }
    return entry;
  });
}
