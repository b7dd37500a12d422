import type { CheckpointIndex, SafetyReport } from '../checkpointIndex';
import { CheckpointError } from '../errors';
import type { ByteSource } from '../io/byteSource';
import { memorySource } from '../io/memorySource';
import { bytesOf, type PyObject } from '../pickle/values';
import type { ResolvedStorage } from './tensorRebuild';

/** Reads torch.save bytes found inside a pickle as a checkpoint of their own (openCheckpoint, one level deeper). */
export type NestedReader = (source: ByteSource) => Promise<CheckpointIndex>;

export interface EmbeddedStorage {
  /** The storage the bytes hold, at its place in the outer file; undefined when they hold none. */
  readonly storage?: ResolvedStorage;
  /** What torch.load of the bytes would run: part of the outer file's verdict. */
  readonly safety?: SafetyReport;
  readonly warnings: readonly string[];
  /** Set when the bytes could not be scanned: what they would run is unknown. */
  readonly unscanned?: string;
}

const IN_TEXT = 'the storage bytes are inside a protocol-2 pickle string (latin-1 text), not stored as they are in the file';

/**
 * `torch.storage._load_from_bytes(b'…')`, which torch.load runs as `torch.load(io.BytesIO(b'…'))`: the bytes are
 * a torch.save file (legacy format, holding one storage, as StorageBase.__reduce__ writes it; or anything an
 * attacker put there). They are read, never run, and scanned like the outer file.
 */
export async function embeddedStorage(file: string, call: PyObject, readNested: NestedReader): Promise<EmbeddedStorage> {
  const [arg] = call.args;
  const blob = bytesOf(arg);
  const at = typeof arg === 'object' && arg !== null && arg.kind === 'bytes' ? arg.offset : undefined;
  const where = at === undefined ? 'in a pickle string' : `at byte ${at}`;
  if (blob === undefined) return { warnings: [`torch.storage._load_from_bytes is called without bytes; nothing to scan`] };
  let nested: CheckpointIndex;
  try {
    nested = await readNested(memorySource(`${file} (torch.save bytes ${where})`, blob));
  } catch (err) {
    if (!(err instanceof CheckpointError)) throw err;
    // A malformed nested pickle stops torch.load where it stops us: what it named up to there is its verdict.
    const warnings = [`embedded torch.save bytes ${where} could not be read: ${err.message}`];
    return err.safety ? { safety: err.safety, warnings } : { warnings, unscanned: err.message };
  }
  const safety = nested.safety;
  const warnings = nested.warnings.map((w) => `embedded torch.save bytes ${where}: ${w}`);
  const only = nested.tensors.length === 1 && nested.metadata.kind === 'tensor' ? nested.tensors[0]! : undefined;
  if (only === undefined || only.layout !== 'storage') {
    warnings.push(`embedded torch.save bytes ${where} hold ${nested.tensors.length} tensors, not one storage; scanned for their globals only`);
    return { safety, warnings };
  }
  const unreadable = at === undefined ? IN_TEXT : only.unreadable;
  const storage = at === undefined ? only.storage : { ...only.storage, byteStart: only.storage.byteStart + at };
  return { storage: { storage, viewOffset: only.storageOffset, ...(unreadable === undefined ? {} : { unreadable }) }, safety, warnings };
}
