import type { ByteSource } from '../io/byteSource';
import { PickleTruncatedError, unpickle, type UnpickleResult } from '../pickle/unpickler';

const FIRST_READ = 16 * 1024;

/**
 * Unpickles the pickle starting at `offset` without knowing its length: reads a window and
 * doubles it until the pickle's STOP is inside (legacy files put pickles back to back).
 * Returns the result with `end` as an absolute file offset.
 */
export async function readPickleAt(source: ByteSource, offset: number): Promise<UnpickleResult> {
  let length = Math.min(FIRST_READ, source.size - offset);
  for (;;) {
    const bytes = await source.read(offset, length);
    try {
      const result = unpickle(bytes, { file: source.name, baseOffset: offset });
      return { ...result, end: offset + result.end };
    } catch (err) {
      if (!(err instanceof PickleTruncatedError) || offset + length >= source.size) throw err;
      length = Math.min(length * 2, source.size - offset);
    }
  }
}
