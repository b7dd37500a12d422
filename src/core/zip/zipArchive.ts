import type { ByteSource } from '../io/byteSource';
import { u16, u32, u64 } from '../io/littleEndian';
import { Utf8Text } from '../io/utf8Text';
import { ZipFormatError } from '../errors';
import { findEndOfCentralDirectory, readCentralDirectoryLocation } from './endOfCentralDirectory';

export interface ZipEntry {
  readonly name: string;
  /** 0 = stored, 8 = deflated. */
  readonly method: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
}

export interface ZipArchive {
  readonly source: ByteSource;
  readonly entries: readonly ZipEntry[];
  find(name: string): ZipEntry | undefined;
  /** Absolute offset of the entry's (stored or compressed) data: reads its local header. */
  dataOffset(entry: ZipEntry): Promise<number>;
  /** The same for many entries, in their order, reading nearby local headers together (thousands of small storages). */
  dataOffsets(entries: readonly ZipEntry[]): Promise<number[]>;
  /** The entry's uncompressed bytes; refuses entries above `maxBytes` so a hostile file cannot exhaust memory. */
  readEntry(entry: ZipEntry, maxBytes: number): Promise<Uint8Array>;
}

const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const CENTRAL_HEADER_SIZE = 46;
const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const LOCAL_HEADER_SIZE = 30;
const ZIP64_EXTRA_ID = 0x0001;
const MAX_CENTRAL_DIRECTORY = 256 * 1024 * 1024;
const MAX_DEFLATE_RATIO = 1032;

/** Opens a zip by its central directory; returns undefined when the file is not a zip at all. */
export async function openZip(source: ByteSource): Promise<ZipArchive | undefined> {
  const eocdOffset = await findEndOfCentralDirectory(source);
  if (eocdOffset === undefined) {
    if (await startsWithLocalHeader(source)) {
      throw new ZipFormatError(source.name, 'zip archive has no end-of-central-directory record; the file is truncated', { offset: source.size });
    }
    return undefined;
  }
  const location = await readCentralDirectoryLocation(source, eocdOffset);
  if (location.size > MAX_CENTRAL_DIRECTORY) {
    throw new ZipFormatError(source.name, `central directory of ${location.size} bytes is larger than the ${MAX_CENTRAL_DIRECTORY}-byte limit`, { offset: location.offset });
  }
  const directory = await source.read(location.offset, location.size);
  const entries = parseCentralDirectory(source, directory, location.offset, location.entryCount);
  const archive: ZipArchive = {
    source,
    entries,
    // A scan, not a Map of every name: callers look up a handful of entries, while building the Map
    // cost 40 ms on a 100 k-storage checkpoint (whose storages are found through their own index).
    find: (name) => entries.find((e) => e.name === name),
    dataOffset: async (entry) => localDataOffset(source, entry, await source.read(entry.localHeaderOffset, LOCAL_HEADER_SIZE), 0),
    dataOffsets: (list) => readDataOffsets(source, list),
    async readEntry(entry, maxBytes) {
      if (entry.uncompressedSize > maxBytes) {
        throw new ZipFormatError(source.name, `entry is ${entry.uncompressedSize} bytes, more than the ${maxBytes}-byte limit`, { entry: entry.name });
      }
      // Deflate expands at most ~1032:1: a bigger claim is a lie that would only make us allocate the buffer.
      if (entry.method === 8 && entry.uncompressedSize > entry.compressedSize * MAX_DEFLATE_RATIO + 1024) {
        throw new ZipFormatError(source.name, `deflated entry of ${entry.compressedSize} bytes claims ${entry.uncompressedSize} bytes uncompressed, more than deflate can produce`, { entry: entry.name });
      }
      const start = await archive.dataOffset(entry);
      const raw = await source.read(start, entry.compressedSize);
      if (entry.method === 0) return raw;
      // Loaded on first use: fflate builds its tables at load (~10 ms of every CLI start), and torch never deflates.
      const { inflateSync } = await import('fflate');
      return inflateEntry(source.name, entry, raw, inflateSync);
    },
  };
  return archive;
}

async function startsWithLocalHeader(source: ByteSource): Promise<boolean> {
  return source.size >= 4 && u32(await source.read(0, 4), 0) === LOCAL_HEADER_SIGNATURE;
}

function parseCentralDirectory(source: ByteSource, directory: Uint8Array, base: number, entryCount: number): ZipEntry[] {
  const entries: ZipEntry[] = [];
  // One decoder for every name (100 k storages = 100 k names).
  const text = new Utf8Text(directory);
  let at = 0;
  for (let index = 0; index < entryCount; index++) {
    if (at + CENTRAL_HEADER_SIZE > directory.length || u32(directory, at) !== CENTRAL_HEADER_SIGNATURE) {
      throw new ZipFormatError(source.name, `corrupt zip: central directory entry ${index} of ${entryCount} is missing or has a bad signature`, { offset: base + at });
    }
    const flags = u16(directory, at + 8);
    const method = u16(directory, at + 10);
    const nameLength = u16(directory, at + 28);
    const extraLength = u16(directory, at + 30);
    const commentLength = u16(directory, at + 32);
    const end = at + CENTRAL_HEADER_SIZE + nameLength + extraLength + commentLength;
    if (end > directory.length) {
      throw new ZipFormatError(source.name, `corrupt zip: central directory entry ${index} runs past the directory`, { offset: base + at });
    }
    const name = text.slice(at + CENTRAL_HEADER_SIZE, at + CENTRAL_HEADER_SIZE + nameLength);
    const extra = directory.subarray(at + CENTRAL_HEADER_SIZE + nameLength, at + CENTRAL_HEADER_SIZE + nameLength + extraLength);
    const sizes = applyZip64Extra(source.name, name, extra, {
      uncompressedSize: u32(directory, at + 24),
      compressedSize: u32(directory, at + 20),
      localHeaderOffset: u32(directory, at + 42),
    });
    if (flags & 1) throw new ZipFormatError(source.name, 'encrypted zip entries are not supported', { entry: name });
    if (method !== 0 && method !== 8) {
      throw new ZipFormatError(source.name, `unsupported compression method ${method}`, { entry: name });
    }
    if (sizes.localHeaderOffset + LOCAL_HEADER_SIZE + sizes.compressedSize > source.size) {
      throw new ZipFormatError(source.name, `entry data (${sizes.compressedSize} bytes at byte ${sizes.localHeaderOffset}) lies outside the file (${source.size} bytes); the file is truncated or corrupt`, { entry: name });
    }
    if (method === 0 && sizes.compressedSize !== sizes.uncompressedSize) {
      throw new ZipFormatError(source.name, 'corrupt zip: stored entry has different compressed and uncompressed sizes', { entry: name });
    }
    entries.push({ name, method, uncompressedSize: sizes.uncompressedSize, compressedSize: sizes.compressedSize, localHeaderOffset: sizes.localHeaderOffset });
    at = end;
  }
  return entries;
}

type EntrySizes = { uncompressedSize: number; compressedSize: number; localHeaderOffset: number };

/** ZIP64: fields saturated at 0xFFFFFFFF are given again, in this order, in extra field 0x0001. */
function applyZip64Extra(file: string, entry: string, extra: Uint8Array, sizes: EntrySizes): EntrySizes {
  // The common case first, without allocating: nothing saturated (torch only uses ZIP64 past 4 GiB).
  if (sizes.uncompressedSize !== 0xffffffff && sizes.compressedSize !== 0xffffffff && sizes.localHeaderOffset !== 0xffffffff) return sizes;
  const needed = (Object.keys(sizes) as (keyof EntrySizes)[]).filter((k) => sizes[k] === 0xffffffff);
  if (needed.length === 0) return sizes;
  for (let at = 0; at + 4 <= extra.length; at += 4 + u16(extra, at + 2)) {
    if (u16(extra, at) !== ZIP64_EXTRA_ID) continue;
    const result = { ...sizes };
    let field = at + 4;
    for (const key of needed) {
      const value = field + 8 <= extra.length ? u64(extra, field) : undefined;
      if (value === undefined) throw new ZipFormatError(file, `corrupt zip: ZIP64 extra field lacks ${key}`, { entry });
      result[key] = value;
      field += 8;
    }
    return result;
  }
  throw new ZipFormatError(file, 'corrupt zip: entry needs a ZIP64 extra field but has none', { entry });
}

/**
 * Consecutive local headers closer together than this are read with one read (the bytes between are
 * small storages), so what a group wastes is bounded per header; a group reads at most HEADER_GROUP_MAX.
 * 100 k tiny storages take a few dozen reads instead of thousands; big storages each get their own.
 */
const HEADER_GROUP_SPAN = 4 * 1024;
const HEADER_GROUP_MAX = 1024 * 1024;

/**
 * Groups read at once. Each positional read is a round trip through libuv's thread pool; one after another,
 * the ~400 big storages of a 2.4 GB checkpoint cost ~400 round trips (most of the listing time on a busy machine).
 */
const HEADER_READS_IN_FLIGHT = 16;

async function readDataOffsets(source: ByteSource, entries: readonly ZipEntry[]): Promise<number[]> {
  // Positions in `entries` by file order: the answer is an array in the caller's order, not a Map of 100 k entry keys.
  const order = entries.map((_, i) => i).sort((a, b) => entries[a]!.localHeaderOffset - entries[b]!.localHeaderOffset);
  const sorted = order.map((i) => entries[i]!);
  const groups: { first: number; last: number }[] = [];
  for (let first = 0; first < sorted.length;) {
    const start = sorted[first]!.localHeaderOffset;
    let last = first;
    for (;;) {
      const next = sorted[last + 1];
      if (next === undefined || next.localHeaderOffset - sorted[last]!.localHeaderOffset > HEADER_GROUP_SPAN) break;
      if (next.localHeaderOffset + LOCAL_HEADER_SIZE - start > HEADER_GROUP_MAX) break;
      last++;
    }
    groups.push({ first, last });
    first = last + 1;
  }
  // Over HTTP each group is a round trip: asked for together, they come in a request or two.
  await source.prefetch?.(groups.map(({ first, last }) => {
    const start = sorted[first]!.localHeaderOffset;
    return [start, Math.min(source.size, sorted[last]!.localHeaderOffset + LOCAL_HEADER_SIZE) - start] as const;
  }));
  const offsets = new Array<number>(entries.length).fill(0);
  let nextGroup = 0;
  const reader = async (): Promise<void> => {
    while (nextGroup < groups.length) {
      const { first, last } = groups[nextGroup++]!;
      const start = sorted[first]!.localHeaderOffset;
      const span = await source.read(start, sorted[last]!.localHeaderOffset + LOCAL_HEADER_SIZE - start);
      for (let i = first; i <= last; i++) {
        const entry = sorted[i]!;
        offsets[order[i]!] = localDataOffset(source, entry, span, entry.localHeaderOffset - start);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(HEADER_READS_IN_FLIGHT, groups.length) }, reader));
  return offsets;
}

/** Where the entry's data starts, from its local header found at `at` in `bytes`. */
function localDataOffset(source: ByteSource, entry: ZipEntry, bytes: Uint8Array, at: number): number {
  if (u32(bytes, at) !== LOCAL_HEADER_SIGNATURE) {
    throw new ZipFormatError(source.name, 'corrupt zip: bad local header signature', { entry: entry.name, offset: entry.localHeaderOffset });
  }
  // The local name and extra lengths may differ from the central directory's (torch pads the extra to align data).
  const start = entry.localHeaderOffset + LOCAL_HEADER_SIZE + u16(bytes, at + 26) + u16(bytes, at + 28);
  if (start + entry.compressedSize > source.size) {
    throw new ZipFormatError(source.name, `entry data (${entry.compressedSize} bytes at byte ${start}) runs past the end of the file; the file is truncated`, { entry: entry.name });
  }
  return start;
}

function inflateEntry(file: string, entry: ZipEntry, raw: Uint8Array, inflateSync: typeof import('fflate').inflateSync): Uint8Array {
  let out: Uint8Array;
  try {
    out = inflateSync(raw, { out: new Uint8Array(entry.uncompressedSize) });
  } catch (err) {
    throw new ZipFormatError(file, `deflated data is corrupt (${err instanceof Error ? err.message : String(err)})`, { entry: entry.name });
  }
  if (out.length !== entry.uncompressedSize) {
    throw new ZipFormatError(file, `inflated ${out.length} bytes, the directory says ${entry.uncompressedSize}`, { entry: entry.name });
  }
  return out;
}
