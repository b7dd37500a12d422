import type { ByteSource } from '../io/byteSource';
import { PickleFormatError } from '../errors';
import { PickleTruncatedError, unpickle, type UnpickleResult } from '../pickle/unpickler';

const FIRST_READ = 16 * 1024;
/** A pickle longer than this is refused (the same bound as a torch zip's data.pkl): memory stays bounded. */
const MAX_PICKLE = 1024 * 1024 * 1024;

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
      // Cut off by the end of the file (or claiming more than it holds): that is the error to report.
      if (!(err instanceof PickleTruncatedError) || offset + err.needed > source.size) throw err;
      if (err.needed > MAX_PICKLE) throw new PickleFormatError(source.name, `pickle is longer than the ${MAX_PICKLE}-byte limit`, { offset });
      length = Math.min(Math.max(length * 2, err.needed), MAX_PICKLE, source.size - offset);
    }
  }
}
