import type { CheckpointIndex } from './checkpointIndex';
import { NotACheckpointError } from './errors';
import type { ByteSource } from './io/byteSource';
import { looksLikeSafetensors, readSafetensors } from './safetensors/safetensorsCheckpoint';
import { readPickleFile } from './torch/pickleFile';
import { findDataPkl, readTorchZip } from './torch/zipCheckpoint';
import { openZip } from './zip/zipArchive';

/**
 * Lists a checkpoint from its metadata, choosing the format by content (never by extension):
 * torch zip or TorchScript archive, safetensors, torch legacy; anything else is "not a checkpoint".
 */
export async function openCheckpoint(source: ByteSource): Promise<CheckpointIndex> {
  if (source.size === 0) throw new NotACheckpointError(source.name, 'not a checkpoint: the file is empty');
  const archive = await openZip(source);
  if (archive !== undefined) {
    const dataPkl = findDataPkl(archive);
    if (dataPkl === undefined) throw new NotACheckpointError(source.name, 'not a checkpoint: a zip archive without a data.pkl entry');
    return readTorchZip(archive, dataPkl);
  }
  if (await looksLikeSafetensors(source)) return readSafetensors(source);
  return readPickleFile(source);
}
