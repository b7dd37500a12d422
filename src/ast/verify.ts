import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ByteSource } from '../core/io/byteSource';
import { openFileSource } from '../core/io/nodeFileSource';
import { openCheckpoint } from '../core/openCheckpoint';
import { readTensor, tensorSha256 } from '../core/tensors/tensorReader';
import { dimsFromConfig, type HfConfigJson } from './hfConfig';
import { expectedHfTensors } from './hfLayout';
import type { ConversionPlan, PlannedTensor } from './plan';

export interface VerificationSummary {
  readonly tensors: number;
  readonly bytes: number;
  /** Tensors (plain copies and q/k/v slices in the source dtype) also checked against their source slice, re-read. */
  readonly checkedAgainstSource: number;
}

/**
 * Re-reads a written folder with the format core, as a loader would: the key set and every
 * shape must be exactly what config.json implies, each dtype as planned, and each tensor's
 * sha256 equal to the hash of the bytes produced from its source and, when the dtype is kept, to
 * the hash of the source tensor (or its q/k/v rows) read again. Returns the problems; [] = verified.
 */
export async function verifyFolder(
  dir: string,
  plan: ConversionPlan,
  producedSha256: ReadonlyMap<string, string>,
  source: ByteSource,
  signal?: AbortSignal,
): Promise<{ problems: string[]; summary: VerificationSummary }> {
  const problems: string[] = [];
  const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as HfConfigJson;
  const { model, dims } = dimsFromConfig(config);
  const expected = new Map(expectedHfTensors(dims, model).map((s) => [s.name, s.shape]));
  const planned = new Map(plan.tensors.map((t) => [t.name, t]));
  const out = await openFileSource(join(dir, 'model.safetensors'));
  let checkedAgainstSource = 0;
  let bytes = 0;
  try {
    const index = await openCheckpoint(out);
    if (index.format !== 'safetensors') problems.push(`model.safetensors reads as ${index.format}`);
    if (index.headerMetadata.format !== 'pt') problems.push('model.safetensors lacks __metadata__.format = "pt"');
    const written = new Set<string>();
    for (const t of index.tensors) {
      written.add(t.name);
      bytes += t.bytes;
      const shape = expected.get(t.name);
      const plannedTensor = planned.get(t.name);
      if (!shape || !plannedTensor) {
        problems.push(`${t.name}: not a parameter of ${model} as config.json describes it`);
        continue;
      }
      if (shape.join(',') !== t.shape.join(',')) problems.push(`${t.name}: shape [${t.shape}] but config.json implies [${shape}]`);
      if (t.dtype !== plannedTensor.dtype) problems.push(`${t.name}: dtype ${t.dtype}, planned ${plannedTensor.dtype}`);
      // Both at once: one's reads (libuv's pool) overlap the other's hashing (this thread).
      const [hash, sourceHash] = await Promise.all([tensorSha256(out, t, signal), sourceSliceSha256(source, plannedTensor, signal)]);
      if (hash !== producedSha256.get(t.name)) problems.push(`${t.name}: sha256 differs from the bytes produced from ${plannedTensor.sourceKey}`);
      if (sourceHash !== undefined) {
        checkedAgainstSource++;
        if (hash !== sourceHash) problems.push(`${t.name}: sha256 differs from its source slice in ${plannedTensor.sourceKey}`);
      }
    }
    for (const name of expected.keys()) if (!written.has(name)) problems.push(`${name}: missing from model.safetensors`);
  } finally {
    await out.close();
  }
  return { problems, summary: { tensors: expected.size, bytes, checkedAgainstSource } };
}

/** sha256 of the source bytes a copy or row slice came from; undefined when a dtype change or adaptation makes new bytes. */
async function sourceSliceSha256(source: ByteSource, t: PlannedTensor, signal?: AbortSignal): Promise<string | undefined> {
  if (t.dtype !== t.source.dtype) return undefined;
  if (t.transform.kind === 'copy') return tensorSha256(source, t.source, signal);
  if (t.transform.kind !== 'rows') return undefined;
  const bytes = await readTensor(source, t.source, signal);
  const rowBytes = bytes.byteLength / (t.source.shape[0] ?? 1);
  return createHash('sha256').update(bytes.subarray(t.transform.start * rowBytes, t.transform.end * rowBytes)).digest('hex');
}
