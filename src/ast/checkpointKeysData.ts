import type { CheckpointFormat, CheckpointIndex, StateDictLocation } from '../core/checkpointIndex';
import type { ByteSource } from '../core/io/byteSource';
import { openCheckpoint } from '../core/openCheckpoint';
import type { TensorInfo } from '../core/tensors/tensorInfo';
import type { KeyMappingResult } from './keyMapping';
import { mapCheckpoint } from './mapping';

/** The part of a tensor key hovers use: enough to answer, small enough to keep for dozens of files. */
export type KeyedTensor = Pick<TensorInfo, 'name' | 'dtype' | 'shape' | 'numel' | 'bytes' | 'path'>;

/** What key hovers need of one checkpoint (plain data: it crosses from the reading worker). */
export interface CheckpointKeysData {
  readonly format: CheckpointFormat;
  readonly tensors: readonly KeyedTensor[];
  readonly stateDicts: readonly StateDictLocation[];
  /** Undefined when the file is no AST model or mapping failed: hovers then show dtype and shape only. */
  readonly mapping?: KeyMappingResult;
}

/** Lists `source` from metadata and maps it; the caller closes `source`. */
export async function readCheckpointKeys(source: ByteSource): Promise<CheckpointKeysData> {
  return checkpointKeysData(await openCheckpoint(source));
}

/** What hovers keep of a listed checkpoint. */
export function checkpointKeysData(index: CheckpointIndex): CheckpointKeysData {
  let mapping: KeyMappingResult | undefined;
  try {
    mapping = mapCheckpoint(index);
  } catch {
    mapping = undefined; // not an AST model
  }
  const tensors = index.tensors.map(({ name, dtype, shape, numel, bytes, path }) => ({ name, dtype, shape, numel, bytes, path }));
  return { format: index.format, tensors, stateDicts: index.stateDicts, ...(mapping ? { mapping } : {}) };
}
