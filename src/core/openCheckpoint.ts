import type { CheckpointIndex } from './checkpointIndex';
import { NotACheckpointError } from './errors';
import type { ByteSource } from './io/byteSource';
import { isNpy } from './numpy/npyArray';
import { isNpz, readNpy, readNpz } from './numpy/numpyCheckpoint';
import { looksLikeSafetensors, readSafetensors } from './safetensors/safetensorsCheckpoint';
import { readPickleFile } from './torch/pickleFile';
import { findDataPkl, readTorchZip } from './torch/zipCheckpoint';
import { openZip } from './zip/zipArchive';

/** torch.save bytes inside a pickle inside torch.save bytes…: deeper than this is not scanned (and so not trusted). */
const MAX_NESTING = 4;

/**
 * Lists a checkpoint from its metadata, choosing the format by content (never by extension):
 * torch zip or TorchScript archive, numpy .npz, safetensors, numpy .npy, torch legacy, plain pickle or joblib;
 * anything else is "not a checkpoint". `nesting` counts the embedded torch.save files around this one.
 */
export async function openCheckpoint(source: ByteSource, nesting = 0): Promise<CheckpointIndex> {
  if (nesting > MAX_NESTING) throw new NotACheckpointError(source.name, `embedded torch.save bytes nested more than ${MAX_NESTING} deep are not scanned`);
  if (source.size === 0) throw new NotACheckpointError(source.name, 'not a checkpoint: the file is empty');
  const archive = await openZip(source);
  if (archive !== undefined) {
    const dataPkl = findDataPkl(archive);
    if (dataPkl !== undefined) return readTorchZip(archive, dataPkl);
    if (isNpz(archive)) return readNpz(archive);
    throw new NotACheckpointError(source.name, 'not a checkpoint: a zip archive without a data.pkl entry');
  }
  if (await looksLikeSafetensors(source)) return readSafetensors(source);
  if (source.size >= 6 && isNpy(await source.read(0, 6))) return readNpy(source);
  return readPickleFile(source, (nested) => openCheckpoint(nested, nesting + 1));
}
