import type { CheckpointIndex, SafetyReport } from '../checkpointIndex';
import { CheckpointError, NotACheckpointError, PickleFormatError, TorchFormatError } from '../errors';
import type { ByteSource } from '../io/byteSource';
import { u64 } from '../io/littleEndian';
import type { UnpickleResult } from '../pickle/unpickler';
import type { PyValue } from '../pickle/values';
import { mergeReports, safetyReport } from '../safety/classifyGlobals';
import type { NestedReader } from './embeddedStorage';
import { readPlainPickle } from './rawPickle';
import { ITEMSIZE } from '../tensors/dtypeInfo';
import type { StorageRef } from '../tensors/tensorInfo';
import { walkObjectTree } from './objectTree';
import { readPickleAt } from './readPickleAt';
import { collectStorageRecords, type StorageRecord } from './storageRecords';
import { storageLookup } from './storageLookup';
import { splitModuleSources } from './moduleSource';

/** The first pickle of a legacy torch.save file is this number. */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001n;
/** Bytes a protocol 0/1 pickle can start with (protocol 2+ starts with PROTO, 0x80). */
const TEXT_PICKLE_STARTS = new Set('c(]})NIJKLFSVUTX'.split('').map((c) => c.charCodeAt(0)));

/**
 * Files that start with a pickle: the legacy torch format (torch < 1.6 or
 * `_use_new_zipfile_serialization=False`), or a plain pickle (pickle.dump, joblib.dump), listed as well:
 * torch.load would unpickle it all.
 */
export async function readPickleFile(source: ByteSource, readNested: NestedReader): Promise<CheckpointIndex> {
  const head = await source.read(0, Math.min(2, source.size));
  const binary = head[0] === 0x80 && (head[1] ?? 0) <= 5;
  if (!binary && !TEXT_PICKLE_STARTS.has(head[0]!)) {
    throw new NotACheckpointError(source.name, 'not a checkpoint: neither a torch file (zip or legacy pickle) nor safetensors');
  }
  let first: UnpickleResult | undefined;
  try {
    first = await readPickleAt(source, 0);
  } catch (err) {
    // A text file that happens to start like a protocol-0 pickle is just not a checkpoint; one that named globals
    // (or worse) before it broke is a pickle torch.load would have run that far, and keeps its verdict.
    const namedSomething = err instanceof CheckpointError && (err.safety?.globals.length || err.safety?.findings?.length);
    if (!binary && err instanceof PickleFormatError && !namedSomething) {
      throw new NotACheckpointError(source.name, 'not a checkpoint: neither a torch file (zip or legacy pickle) nor safetensors');
    }
    // joblib puts array bytes between the opcodes, where a plain unpickler stops: read with joblib's layout.
    if (err instanceof PickleFormatError && (await mentionsJoblib(source))) return readPlainPickle(source, readNested);
    throw err;
  }
  if (first.value === LEGACY_MAGIC) return readLegacy(source, first);
  // A legacy file has more pickles after its magic number; a lone pickled int is a plain pickle.
  if (typeof first.value === 'bigint' && binary && first.end < source.size) {
    const err = new TorchFormatError(source.name, `wrong magic number 0x${first.value.toString(16)} in a legacy torch file, expected 0x${LEGACY_MAGIC.toString(16)}`, { offset: 0 });
    err.safety = safetyReport(first);
    throw err;
  }
  // Read again with the dialects' hooks (joblib, embedded files): this parse, a whole file of values, goes first.
  first = undefined;
  return readPlainPickle(source, readNested);
}

/** joblib names its array wrapper before the first array's bytes: early in the file. */
async function mentionsJoblib(source: ByteSource): Promise<boolean> {
  const head = await source.read(0, Math.min(64 * 1024, source.size));
  return new TextDecoder('latin1').decode(head).includes('NumpyArrayWrapper');
}

/** Storages whose headers one read covers: the next ones while their bytes (as the pickle sizes them) stay small. */
const HEADER_WINDOW = 64 * 1024;

/** Bytes from storage k's header through the header of the first storage after the window (8 at least). */
function headerWindow(keys: readonly string[], k: number, records: ReadonlyMap<string, StorageRecord>): number {
  let length = 8;
  for (let i = k; i < keys.length; i++) {
    const record = records.get(keys[i]!);
    const span = record === undefined ? Infinity : record.numel * ITEMSIZE[record.dtype];
    if (!(length + span + 8 <= HEADER_WINDOW)) break;
    length += span + 8;
  }
  return length;
}

/**
 * A legacy file runs five pickles under torch.load, not just the object: the verdict covers all of them, and an
 * error on the way carries the verdict of every pickle read before it (and of the broken one, as far as read).
 */
async function readLegacy(source: ByteSource, magic: UnpickleResult): Promise<CheckpointIndex> {
  const scanned: SafetyReport[] = [safetyReport(magic)];
  try {
    return await listLegacy(source, magic, async (offset) => {
      const result = await readPickleAt(source, offset);
      scanned.push(safetyReport(result));
      return result;
    }, () => mergeReports(scanned));
  } catch (err) {
    if (err instanceof CheckpointError) err.safety = mergeReports(err.safety ? [...scanned, err.safety] : scanned);
    throw err;
  }
}

async function listLegacy(
  source: ByteSource, magic: UnpickleResult, readPickle: (offset: number) => Promise<UnpickleResult>, safety: () => SafetyReport,
): Promise<CheckpointIndex> {
  const file = source.name;
  const protocol = await readPickle(magic.end);
  if (protocol.value !== LEGACY_PROTOCOL) {
    throw new TorchFormatError(file, `legacy torch file has protocol version ${String(protocol.value)}, expected ${LEGACY_PROTOCOL}`, { offset: magic.end });
  }
  const sysInfo = await readPickle(protocol.end);
  const object = await readPickle(sysInfo.end);
  const keyList = await readPickle(object.end);
  const keys = storageKeys(file, keyList.value, object.end);
  const { modules, storages: storageIds } = splitModuleSources(object.persistents);
  const records = new Map(collectStorageRecords(file, storageIds).map((r) => [r.key, r]));
  const bigEndian = littleEndianFlag(sysInfo.value) === false;

  await prefetchStorageHeaders(source, keys, records, keyList.end);
  const storages = new Map<string, StorageRef>();
  let offset = keyList.end;
  // Element counts are read through a window over the next small storages, not one 8-byte read each (100 k storages).
  let window: Uint8Array = new Uint8Array(0);
  let windowStart = 0;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const record = records.get(key);
    if (record === undefined) throw new TorchFormatError(file, `storage ${key} is listed but no tensor refers to it`, { offset });
    if (offset + 8 > source.size) throw new TorchFormatError(file, `file ends before storage ${key}; the file is truncated`, { offset });
    if (offset < windowStart || offset + 8 > windowStart + window.length) {
      windowStart = offset;
      window = await source.read(offset, Math.min(headerWindow(keys, k, records), source.size - offset));
    }
    const numel = u64(window, offset - windowStart);
    const byteLength = (numel ?? Infinity) * ITEMSIZE[record.dtype];
    if (offset + 8 + byteLength > source.size) {
      throw new TorchFormatError(file, `storage ${key} (${numel} ${record.dtype} elements) runs past the end of the file; the file is truncated`, { offset });
    }
    storages.set(key, { key, dtype: record.dtype, numel: numel!, byteStart: offset + 8, byteLength, ...(bigEndian ? { bigEndian } : {}) });
    offset += 8 + byteLength;
  }
  const tree = walkObjectTree(file, object.value, storageLookup(file, storages));
  const warnings = bigEndian ? ['storages were written on a big-endian machine; values are byte-swapped when read'] : [];
  return {
    file,
    format: 'torch-legacy',
    fileSize: source.size,
    tensors: tree.tensors,
    metadata: tree.metadata,
    stateDicts: tree.stateDicts,
    warnings: [...warnings, ...tree.warnings],
    safety: safety(),
    headerMetadata: {},
    ...(modules.length > 0 ? { moduleSources: modules } : {}),
  };
}

/**
 * Where the element counts would be if each storage holds as many elements as the pickle says (torch writes
 * them back to back), handed to the source as one batch: over HTTP one request instead of one per storage.
 * The walk below still reads and checks every count, so a file that differs only loses the batching.
 */
async function prefetchStorageHeaders(source: ByteSource, keys: readonly string[], records: ReadonlyMap<string, StorageRecord>, start: number): Promise<void> {
  if (source.prefetch === undefined) return;
  const ranges: [number, number][] = [];
  let offset = start;
  let windowStart = 0;
  let windowEnd = 0;
  // The same windows the walk reads, at the offsets the pickle's element counts predict.
  for (let k = 0; k < keys.length && offset + 8 <= source.size; k++) {
    const record = records.get(keys[k]!);
    if (record === undefined) break;
    if (offset < windowStart || offset + 8 > windowEnd) {
      windowStart = offset;
      windowEnd = offset + Math.min(headerWindow(keys, k, records), source.size - offset);
      ranges.push([windowStart, windowEnd - windowStart]);
    }
    offset += 8 + record.numel * ITEMSIZE[record.dtype];
  }
  await source.prefetch(ranges);
}

function storageKeys(file: string, value: PyValue, offset: number): string[] {
  if (typeof value === 'object' && value !== null && value.kind === 'list' && value.items.every((k) => typeof k === 'string')) {
    return value.items as string[];
  }
  throw new TorchFormatError(file, 'legacy torch file: the pickle after the object is not the list of storage keys', { offset });
}

function littleEndianFlag(sysInfo: PyValue): boolean | undefined {
  if (typeof sysInfo !== 'object' || sysInfo === null || sysInfo.kind !== 'dict') return undefined;
  const { keyValues } = sysInfo;
  for (let i = 0; i < keyValues.length; i += 2) {
    if (keyValues[i] === 'little_endian') return typeof keyValues[i + 1] === 'boolean' ? (keyValues[i + 1] as boolean) : undefined;
  }
  return undefined;
}
