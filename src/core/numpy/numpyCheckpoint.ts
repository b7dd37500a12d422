import type { CheckpointIndex, MetaValue, SafetyReport } from '../checkpointIndex';
import { NumpyFormatError } from '../errors';
import type { ByteSource } from '../io/byteSource';
import { unpickle } from '../pickle/unpickler';
import { mergeReports, safetyReport } from '../safety/classifyGlobals';
import type { TensorInfo } from '../tensors/tensorInfo';
import type { ZipArchive, ZipEntry } from '../zip/zipArchive';
import { npyContent, readNpyHeader, type NpyContent } from './npyArray';

/** An object array's pickle is read whole to be scanned: the same bound as a torch zip's data.pkl. */
const MAX_OBJECT_PICKLE = 1024 * 1024 * 1024;
/** Compressed bytes inflated at a time while looking for the header of a compressed .npz entry. */
const INFLATE_STEP = 64 * 1024;
const COMPRESSED = 'the array is compressed in the .npz (np.savez_compressed); its values are not read in place';

/** Arrays and object-array pickles found so far, and what those pickles would make np.load run. */
class NumpyListing {
  readonly tensors: TensorInfo[] = [];
  readonly entries: [string, MetaValue][] = [];
  private readonly scans: SafetyReport[] = [];
  readonly warnings: string[] = [];

  add(name: string, content: NpyContent): void {
    if (content.kind === 'tensor') {
      this.tensors.push(content.tensor);
      this.entries.push([name, { kind: 'tensor', name }]);
    } else {
      this.entries.push([name, content.meta]);
    }
  }

  /** np.load(allow_pickle=True) unpickles an object array's data: scanned here, never run. */
  scanPickle(file: string, bytes: Uint8Array, where: { entry?: string; baseOffset?: number }): void {
    const result = unpickle(bytes, { file, ...where });
    this.scans.push(safetyReport(result));
  }

  index(source: ByteSource, format: 'numpy' | 'npz'): CheckpointIndex {
    return {
      file: source.name, format, fileSize: source.size, tensors: this.tensors,
      metadata: { kind: 'dict', entries: this.entries },
      stateDicts: this.tensors.length > 0 ? [{ path: [], tensorCount: this.tensors.length }] : [],
      warnings: this.warnings, safety: mergeReports(this.scans), headerMetadata: {},
    };
  }
}

/** One .npy file: its array from the header, the data never read (object arrays: the pickle is scanned). */
export async function readNpy(source: ByteSource): Promise<CheckpointIndex> {
  const file = source.name;
  const header = await readNpyHeader(file, source.size, (o, n) => source.read(o, n));
  const listing = new NumpyListing();
  const name = 'array';
  const content = npyContent(file, name, header, 0, source.size);
  listing.add(name, content);
  if (content.kind === 'other' && content.isObject) {
    const length = source.size - header.dataOffset;
    if (length > MAX_OBJECT_PICKLE) throw new NumpyFormatError(file, `object array pickle of ${length} bytes is larger than the ${MAX_OBJECT_PICKLE}-byte limit`, { offset: header.dataOffset });
    listing.scanPickle(file, await source.read(header.dataOffset, length), { baseOffset: header.dataOffset });
  }
  return listing.index(source, 'numpy');
}

/** True for a zip whose entries are all .npy files (np.savez / np.savez_compressed). */
export function isNpz(archive: ZipArchive): boolean {
  return archive.entries.length > 0 && archive.entries.every((e) => e.name.endsWith('.npy'));
}

/** An .npz: each entry's header (stored entries: read in place; compressed: inflated just far enough). */
export async function readNpz(archive: ZipArchive): Promise<CheckpointIndex> {
  const source = archive.source;
  const file = source.name;
  const listing = new NumpyListing();
  for (const entry of archive.entries) {
    const name = entry.name.slice(0, -'.npy'.length);
    const start = await archive.dataOffset(entry);
    const stored = entry.method === 0;
    const prefix = stored ? undefined : await inflatedPrefix(archive, entry, start);
    const read = stored
      ? (o: number, n: number) => source.read(start + o, n)
      : async (o: number, n: number) => (await prefix!(o + n)).subarray(o, o + n);
    const header = await readNpyHeader(file, entry.uncompressedSize, read, { entry: entry.name });
    const content = npyContent(file, name, header, start, entry.uncompressedSize, stored ? undefined : COMPRESSED);
    listing.add(name, content);
    if (content.kind === 'other' && content.isObject) {
      const bytes = await archive.readEntry(entry, MAX_OBJECT_PICKLE);
      listing.scanPickle(file, bytes.subarray(header.dataOffset), { entry: entry.name });
    }
  }
  return listing.index(source, 'npz');
}

/**
 * The first bytes of a deflated entry, inflated from its start in steps until at least `needed` are out: a header
 * costs a few kilobytes, whatever the size of the array behind it.
 */
async function inflatedPrefix(archive: ZipArchive, entry: ZipEntry, start: number): Promise<(needed: number) => Promise<Uint8Array>> {
  const { Inflate } = await import('fflate');
  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflater = new Inflate((chunk) => {
    chunks.push(chunk);
    total += chunk.length;
  });
  let read = 0;
  return async (needed) => {
    while (total < needed && read < entry.compressedSize) {
      const n = Math.min(INFLATE_STEP, entry.compressedSize - read);
      try {
        inflater.push(await archive.source.read(start + read, n), read + n === entry.compressedSize);
      } catch (err) {
        throw new NumpyFormatError(archive.source.name, `compressed entry does not inflate (${(err as Error).message})`, { entry: entry.name });
      }
      read += n;
    }
    if (total < needed) throw new NumpyFormatError(archive.source.name, `entry inflates to ${total} bytes, fewer than its .npy header needs`, { entry: entry.name });
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  };
}
