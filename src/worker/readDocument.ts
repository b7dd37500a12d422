import type { CheckpointIndex } from '../core/checkpointIndex';
import type { ByteSource } from '../core/io/byteSource';
import type { TensorInfo } from '../core/tensors/tensorInfo';
import { detectModel } from '../ast/detect';
import { mapCheckpoint } from '../ast/mapping';
import type { DocumentView, FileFacts } from '../protocol/messages';
import { buildCheckpointView, buildErrorView } from './view/buildView';
import { detectionFacts } from './view/detectionFacts';

export interface ReadDocument {
  readonly view: DocumentView;
  /** Empty for an error view. */
  readonly tensors: ReadonlyMap<string, TensorInfo>;
}

/**
 * Maps and detects one listed file (`listing`, of `source`) into the editor's view. Never throws: a
 * file that cannot be read becomes an error view naming what and where. `source` stays open (the
 * caller owns it).
 */
export async function readDocument(file: FileFacts, source: ByteSource, listing: Promise<CheckpointIndex>, started = Date.now()): Promise<ReadDocument> {
  try {
    const index = await listing;
    const mapping = attempt(() => mapCheckpoint(index));
    const detection = await detectModel(index, source).then(detectionFacts, toError);
    const view = buildCheckpointView({ file, index, mapping, detection, loadMs: Date.now() - started });
    return { view, tensors: new Map(index.tensors.map((t) => [t.name, t])) };
  } catch (err) {
    return { view: buildErrorView({ ...file, size: source.size }, err), tensors: new Map() };
  }
}

function attempt<T>(fn: () => T): T | Error {
  try {
    return fn();
  } catch (err) {
    return toError(err);
  }
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
