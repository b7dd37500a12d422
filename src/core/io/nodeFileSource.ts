import { readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { ByteSource } from './byteSource';
import { checkRange } from './checkRange';

const MAX_READ_CALL = 1024 * 1024 * 1024;

export interface FileSourceOptions {
  /**
   * Reads of at most this many bytes are done synchronously. For short-lived CLI processes only: there a
   * promise round trip per 30-byte zip local header (hundreds per checkpoint) costs more than the read itself.
   * Never in the extension host, whose event loop must not block on a slow disk. Default 0 (all asynchronous).
   */
  readonly syncReadsUpTo?: number;
}

/** A ByteSource over a local file: positional reads on one Node file handle, never the whole file. */
export async function openFileSource(path: string, opts: FileSourceOptions = {}): Promise<ByteSource> {
  const syncReadsUpTo = opts.syncReadsUpTo ?? 0;
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    return {
      name: path,
      size,
      async read(offset: number, length: number): Promise<Uint8Array> {
        checkRange(path, size, offset, length);
        const buffer = new Uint8Array(length);
        let done = 0;
        // A positional read may return fewer bytes than asked; loop until the range is full. Each call asks
        // for at most 1 GiB: Node aborts the whole process (not a catchable error) on a read length past 2^31 - 1.
        while (done < length) {
          const ask = Math.min(length - done, MAX_READ_CALL);
          const bytesRead = length <= syncReadsUpTo ? readSync(handle.fd, buffer, done, ask, offset + done) : (await handle.read(buffer, done, ask, offset + done)).bytesRead;
          if (bytesRead === 0) throw new RangeError(`${path}: file ended at byte ${offset + done} while reading ${length} bytes at ${offset}`);
          done += bytesRead;
        }
        return buffer;
      },
      close: () => handle.close(),
    };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

