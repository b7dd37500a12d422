import type { ByteSource } from '../io/byteSource';
import { PickleFormatError } from '../errors';
import { memoReads } from '../pickle/memoReads';
import { PickleTruncatedError, unpickle, type UnpickleResult } from '../pickle/unpickler';

const FIRST_READ = 16 * 1024;
/**
 * Windows from this size on are grown without running the pickle when its opcodes run past them. Smaller ones
 * are still run, which costs little and ends a file that is broken early (or no pickle) at its first bad opcode
 * rather than after reading up to its whole length.
 */
const SCAN_ONLY_FROM = 1024 * 1024;
/** A pickle longer than this is refused (the same bound as a torch zip's data.pkl): memory stays bounded. */
const MAX_PICKLE = 1024 * 1024 * 1024;

/**
 * Unpickles the pickle starting at `offset` without knowing its length: reads a window and
 * doubles it until the pickle's STOP is inside (legacy files put pickles back to back).
 * Returns the result with `end` as an absolute file offset.
 */
export async function readPickleAt(source: ByteSource, offset: number): Promise<UnpickleResult> {
  let length = Math.min(FIRST_READ, source.size - offset);
  const grown = (needed: number): number => {
    if (needed > MAX_PICKLE) throw new PickleFormatError(source.name, `pickle is longer than the ${MAX_PICKLE}-byte limit`, { offset });
    return Math.min(Math.max(length * 2, needed), MAX_PICKLE, source.size - offset);
  };
  for (;;) {
    const bytes = await source.read(offset, length);
    // A big window its opcodes run past is grown without running it: each run would build every value again (100 k
    // tensors: a dozen runs). Past the end of the file, the run below reports where the pickle is cut off.
    const scan = length >= SCAN_ONLY_FROM ? memoReads(bytes, 0) : undefined;
    if (scan !== undefined && !scan.complete && offset + scan.needed <= source.size) {
      length = grown(scan.needed);
      continue;
    }
    try {
      const result = unpickle(bytes, { file: source.name, baseOffset: offset });
      return { ...result, end: offset + result.end };
    } catch (err) {
      // Cut off by the end of the file (or claiming more than it holds): that is the error to report.
      if (!(err instanceof PickleTruncatedError) || offset + err.needed > source.size) throw err;
      length = grown(err.needed);
    }
  }
}
