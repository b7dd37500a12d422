import type { ByteSource } from '../core/io/byteSource';
import { openCheckpoint } from '../core/openCheckpoint';
import { ChunkBuffers, readTensor, streamTensor } from '../core/tensors/tensorReader';
import { firstDifference } from './firstDifference';
import { dimsFromConfig, type HfConfigJson } from './hfConfig';
import { expectedHfTensors } from './hfLayout';
import type { OutputFolder } from './outputSink';
import type { ConversionPlan, PlannedTensor } from './plan';
import { produceTensor, unchangedSlice } from './produceTensor';

export interface VerificationSummary {
  readonly tensors: number;
  readonly bytes: number;
  /** Tensors (plain copies and q/k/v rows in the source dtype) compared with their source slice, re-read from the source file. */
  readonly checkedAgainstSource: number;
}

export interface VerificationOutcome {
  /** What is wrong, one line each; [] = verified. */
  readonly problems: string[];
  readonly summary: VerificationSummary;
}

/** Compared in chunks of this size: memory stays flat whatever the tensor size. */
const CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * Re-reads a written folder with the format core, as a loader would: the key set and every shape must
 * be exactly what config.json implies, each dtype as planned, and each tensor's bytes equal, byte for
 * byte, to the source slice it repeats (copies and q/k/v rows, re-read from the source) or to the tensor
 * computed again from its source (dtype changes, adapted position embeddings). Byte equality is
 * stronger than comparing digests and cheaper: no hashing, so it costs two reads and a memcmp.
 */
export async function verifyFolder(dir: OutputFolder, plan: ConversionPlan, source: ByteSource, signal?: AbortSignal): Promise<VerificationOutcome> {
  const problems: string[] = [];
  const config = JSON.parse(await dir.readText('config.json')) as HfConfigJson;
  const { model, dims } = dimsFromConfig(config);
  const expected = new Map(expectedHfTensors(dims, model).map((s) => [s.name, s.shape]));
  const planned = new Map(plan.tensors.map((t) => [t.name, t]));
  const out = await dir.openSource('model.safetensors');
  let checkedAgainstSource = 0;
  let bytes = 0;
  const written = new ChunkBuffers(CHUNK_BYTES);
  const sourced = new ChunkBuffers(CHUNK_BYTES);
  try {
    const index = await openCheckpoint(out);
    if (index.format !== 'safetensors') problems.push(`model.safetensors reads as ${index.format}`);
    if (index.headerMetadata.format !== 'pt') problems.push('model.safetensors lacks __metadata__.format = "pt"');
    const names = new Set<string>();
    for (const t of index.tensors) {
      names.add(t.name);
      bytes += t.bytes;
      const shape = expected.get(t.name);
      const plannedTensor = planned.get(t.name);
      if (!shape || !plannedTensor) {
        problems.push(`${t.name}: not a parameter of ${model} as config.json describes it`);
        continue;
      }
      if (shape.join(',') !== t.shape.join(',')) problems.push(`${t.name}: shape [${t.shape}] but config.json implies [${shape}]`);
      if (t.dtype !== plannedTensor.dtype) {
        problems.push(`${t.name}: dtype ${t.dtype}, planned ${plannedTensor.dtype}`);
        continue;
      }
      const slice = unchangedSlice(plannedTensor);
      if (slice) checkedAgainstSource++;
      const difference = await firstDifference(
        streamTensor(out, t, { buffers: written, signal }),
        slice ? streamTensor(source, slice, { buffers: sourced, signal }) : [await recompute(source, plannedTensor, signal)],
      );
      if (difference !== undefined) {
        const what = slice ? `its source slice in ${plannedTensor.sourceKey}` : `the tensor computed from ${plannedTensor.sourceKey}`;
        problems.push(`${t.name}: byte ${difference} differs from ${what}`);
      }
    }
    for (const name of expected.keys()) if (!names.has(name)) problems.push(`${name}: missing from model.safetensors`);
  } finally {
    await out.close();
  }
  return { problems, summary: { tensors: expected.size, bytes, checkedAgainstSource } };
}

async function recompute(source: ByteSource, t: PlannedTensor, signal?: AbortSignal): Promise<Uint8Array> {
  return produceTensor(t, await readTensor(source, t.source, signal));
}
