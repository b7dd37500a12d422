import type { ByteSource } from './byteSource';
import { checkRange } from './checkRange';

/** A ByteSource over bytes already in memory: torch.save bytes embedded in a plain pickle are read as a file of their own. */
export function memorySource(name: string, bytes: Uint8Array): ByteSource {
  return {
    name,
    size: bytes.length,
    read(offset, length) {
      try {
        checkRange(name, bytes.length, offset, length);
      } catch (err) {
        return Promise.reject(err);
      }
      // A copy: readers may change what they get (byte swapping), and the bytes are the outer file's.
      return Promise.resolve(bytes.slice(offset, offset + length));
    },
    close: () => Promise.resolve(),
  };
}
