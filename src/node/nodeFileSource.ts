// `fs.promises` is reached through `node:fs` on first use, not imported: loading it costs a CLI run ~1 ms,
// and the CLI's synchronous opening below never needs it.
import { closeSync, fstatSync, openSync, promises as fsPromises, read, readSync } from 'node:fs';
import type { ByteSource } from '../core/io/byteSource';
import { checkRange } from '../core/io/checkRange';

const MAX_READ_CALL = 1024 * 1024 * 1024;

export interface FileSourceOptions {
  /**
   * For short-lived CLI processes only: the file is opened, measured and closed synchronously, and reads of
   * at most this many bytes are synchronous. There a promise round trip per 30-byte zip local header
   * (hundreds per checkpoint) costs more than the read itself, and the first asynchronous call starts
   * libuv's thread pool. Never in the extension host, whose event loop must not block on a slow disk.
   * Default 0 (all asynchronous).
   */
  readonly syncReadsUpTo?: number;
}

/** Reads into `buffer` at `at` up to `length` bytes from file position `position`; the count read. */
type ReadAt = (buffer: Uint8Array, at: number, length: number, position: number) => number | Promise<number>;

/** A ByteSource over a local file: positional reads, never the whole file. */
export async function openFileSource(path: string, opts: FileSourceOptions = {}): Promise<ByteSource> {
  const syncReadsUpTo = opts.syncReadsUpTo ?? 0;
  return syncReadsUpTo > 0 ? openSynchronously(path, syncReadsUpTo) : openWithHandle(path);
}

/** One Node FileHandle: closing it waits for its reads still in flight. */
async function openWithHandle(path: string): Promise<ByteSource> {
  const handle = await fsPromises.open(path, 'r');
  try {
    const { size } = await handle.stat();
    const readAt: ReadAt = async (buffer, at, length, position) => (await handle.read(buffer, at, length, position)).bytesRead;
    return {
      name: path,
      size,
      read: (offset, length) => readRange(path, size, offset, new Uint8Array(length), readAt),
      readInto: async (offset, target) => { await readRange(path, size, offset, target, readAt); },
      close: () => handle.close(),
    };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** A plain descriptor; big reads go through the thread pool, and closing waits for them as a FileHandle does. */
function openSynchronously(path: string, syncReadsUpTo: number): ByteSource {
  const fd = openSync(path, 'r');
  let size: number;
  try {
    size = fstatSync(fd).size;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;
  const readLater = (buffer: Uint8Array, at: number, length: number, position: number): Promise<number> =>
    new Promise((resolve, reject) => read(fd, buffer, at, length, position, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead))));
  const readAt: ReadAt = (buffer, at, length, position) =>
    length <= syncReadsUpTo ? readSync(fd, buffer, at, length, position) : readLater(buffer, at, length, position);
  const tracked = (offset: number, target: Uint8Array): Promise<Uint8Array> => {
    // The descriptor's number is reused by the next open: after close, a read would read that file instead.
    if (closed) return Promise.reject(new Error(`${path}: read of ${target.length} bytes at byte ${offset} after the file was closed`));
    const reading = readRange(path, size, offset, target, readAt);
    inFlight.add(reading);
    const settled = (): void => { inFlight.delete(reading); };
    reading.then(settled, settled);
    return reading;
  };
  return {
    name: path,
    size,
    read: (offset, length) => tracked(offset, new Uint8Array(length)),
    readInto: async (offset, target) => { await tracked(offset, target); },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled(inFlight);
      closeSync(fd);
    },
  };
}

/** Fills `target` with the bytes at `offset`: rejects ranges outside the file, and loops over short reads. */
async function readRange(path: string, size: number, offset: number, target: Uint8Array, readAt: ReadAt): Promise<Uint8Array> {
  const length = target.length;
  checkRange(path, size, offset, length);
  let done = 0;
  // A positional read may return fewer bytes than asked; loop until the range is full. Each call asks
  // for at most 1 GiB: Node aborts the whole process (not a catchable error) on a read length past 2^31 - 1.
  while (done < length) {
    const ask = Math.min(length - done, MAX_READ_CALL);
    const bytesRead = await readAt(target, done, ask, offset + done);
    if (bytesRead === 0) throw new RangeError(`${path}: file ended at byte ${offset + done} while reading ${length} bytes at ${offset}`);
    done += bytesRead;
  }
  return target;
}
