// Opens one file the way the editor does (list, then read a few tensors) and reports how it ended.
// Shared by the malformed-input tests and the fuzzer: the only acceptable failure is a CheckpointError.
import { CheckpointError } from '../../src/core/errors';
import type { ByteSource } from '../../src/core/io/byteSource';
import { openCheckpoint } from '../../src/core/openCheckpoint';
import type { CheckpointIndex } from '../../src/core/checkpointIndex';
import { readTensor } from '../../src/core/tensors/tensorReader';

/** Tensors read per file, and the largest one read: enough to exercise the reader, bounded for the fuzzer. */
const TENSORS_READ = 3;
const MAX_TENSOR_READ = 16 * 1024 * 1024;

export interface Attempt {
  readonly ms: number;
  readonly index?: CheckpointIndex;
  /** A CheckpointError (the expected way to fail). */
  readonly error?: CheckpointError;
  /** Anything else thrown: a bug. */
  readonly crash?: unknown;
}

export async function attempt(source: ByteSource): Promise<Attempt> {
  const started = performance.now();
  try {
    const index = await openCheckpoint(source);
    for (const tensor of index.tensors.filter((t) => t.bytes <= MAX_TENSOR_READ).slice(0, TENSORS_READ)) {
      const bytes = await readTensor(source, tensor);
      if (bytes.length !== tensor.bytes) throw new Error(`readTensor returned ${bytes.length} bytes for ${tensor.name}, expected ${tensor.bytes}`);
    }
    return { ms: performance.now() - started, index };
  } catch (err) {
    const ms = performance.now() - started;
    return err instanceof CheckpointError ? { ms, error: err } : { ms, crash: err };
  }
}

/** A ByteSource over bytes in memory (the fuzzer's mutants never touch the disk). */
export function memorySource(name: string, bytes: Uint8Array): ByteSource {
  return {
    name,
    size: bytes.length,
    read(offset, length) {
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > bytes.length) {
        return Promise.reject(new RangeError(`${name}: read of ${length} bytes at byte ${offset} is outside the file (${bytes.length} bytes)`));
      }
      return Promise.resolve(bytes.slice(offset, offset + length));
    },
    close: () => Promise.resolve(),
  };
}
