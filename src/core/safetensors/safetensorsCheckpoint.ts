import type { CheckpointIndex, MetaValue } from '../checkpointIndex';
import { SafetensorsFormatError } from '../errors';
import type { ByteSource } from '../io/byteSource';
import { u64 } from '../io/littleEndian';
import { contiguousStrides, ITEMSIZE, product, SAFETENSORS_DTYPES } from '../tensors/dtypeInfo';
import type { TensorInfo } from '../tensors/tensorInfo';

/** A header larger than this is refused: real headers are kilobytes, a hostile one could claim gigabytes. */
export const MAX_SAFETENSORS_HEADER = 100 * 1024 * 1024;

/**
 * Cheap content check: an 8-byte length followed by a JSON object. The length is not checked
 * against the file here, so a truncated or hostile header gets its own error rather than "not a checkpoint".
 */
export async function looksLikeSafetensors(source: ByteSource): Promise<boolean> {
  if (source.size < 10) return false;
  const head = await source.read(0, 9);
  const length = u64(head, 0);
  return (length === undefined || length >= 2) && head[8] === 0x7b; // '{'
}

export async function readSafetensors(source: ByteSource): Promise<CheckpointIndex> {
  const file = source.name;
  const headerLength = u64(await source.read(0, 8), 0);
  if (headerLength === undefined || headerLength > MAX_SAFETENSORS_HEADER) {
    throw new SafetensorsFormatError(file, `header length ${headerLength ?? 'over 2^53'} is larger than the ${MAX_SAFETENSORS_HEADER}-byte limit`, { offset: 0 });
  }
  if (8 + headerLength > source.size) {
    throw new SafetensorsFormatError(file, `header of ${headerLength} bytes runs past the end of the file (${source.size} bytes); the file is truncated`, { offset: 0 });
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await source.read(8, headerLength)));
  } catch (err) {
    throw new SafetensorsFormatError(file, `header is not valid JSON (${err instanceof Error ? err.message : String(err)})`, { offset: 8 });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new SafetensorsFormatError(file, 'header is not a JSON object', { offset: 8 });
  }
  const dataStart = 8 + headerLength;
  const tensors: TensorInfo[] = [];
  const warnings: string[] = [];
  let headerMetadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      headerMetadata = parseMetadata(file, value);
      continue;
    }
    const tensor = parseTensor(file, name, value, dataStart, source.size);
    if (typeof tensor === 'string') warnings.push(tensor);
    else tensors.push(tensor);
  }
  const metadata: MetaValue = {
    kind: 'dict',
    entries: tensors.map((t): [string, MetaValue] => [t.name, { kind: 'tensor', name: t.name }]),
  };
  return {
    file,
    format: 'safetensors',
    fileSize: source.size,
    tensors,
    metadata,
    stateDicts: tensors.length > 0 ? [{ path: [], tensorCount: tensors.length }] : [],
    warnings,
    safety: { verdict: 'safe', globals: [] },
    headerMetadata,
  };
}

function parseMetadata(file: string, value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new SafetensorsFormatError(file, '__metadata__ is not an object of strings', { offset: 8 });
  }
  return value as Record<string, string>;
}

/** A TensorInfo, or a warning string for a dtype this reader cannot represent. */
function parseTensor(file: string, name: string, value: unknown, dataStart: number, fileSize: number): TensorInfo | string {
  const fail = (problem: string): never => {
    throw new SafetensorsFormatError(file, `tensor "${name}": ${problem}`, { offset: 8 });
  };
  if (typeof value !== 'object' || value === null) return fail('entry is not an object');
  const { dtype: code, shape, data_offsets: offsets } = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof code !== 'string') return fail('has no dtype');
  const dtype = SAFETENSORS_DTYPES[code];
  if (dtype === undefined) return `tensor "${name}" has dtype ${code}, which this reader does not support; skipped`;
  if (!Array.isArray(shape) || !shape.every((n) => Number.isSafeInteger(n) && n >= 0)) return fail('shape is not a list of non-negative integers');
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((n) => Number.isSafeInteger(n) && n >= 0)) {
    return fail('data_offsets is not a pair of non-negative integers');
  }
  const [begin, end] = offsets as [number, number];
  const dims = shape as number[];
  const numel = product(dims);
  const bytes = numel * ITEMSIZE[dtype];
  if (end < begin || end - begin !== bytes) return fail(`data_offsets [${begin}, ${end}] hold ${end - begin} bytes, shape and dtype need ${bytes}`);
  if (dataStart + end > fileSize) return fail(`data_offsets end at byte ${dataStart + end}, past the end of the file (${fileSize} bytes)`);
  const byteStart = dataStart + begin;
  return {
    name, path: [name], dtype, shape: dims, stride: contiguousStrides(dims), storageOffset: 0,
    storage: { key: name, dtype, numel, byteStart, byteLength: bytes },
    numel, bytes, byteRange: [byteStart, byteStart + bytes],
  };
}
