import { NotACheckpointError } from '../errors';

/** What `model.safetensors.index.json` / `pytorch_model.bin.index.json` (save_pretrained's shard index) says. */
export interface ShardIndexFile {
  /** Tensor name → shard file name, in the index's order. */
  readonly weightMap: ReadonlyMap<string, string>;
  /** `metadata.total_size`: bytes of all tensors, when given. */
  readonly totalSize?: number;
  /** Shard file names in the order they should be listed: sorted (save_pretrained numbers them). */
  readonly shardFiles: readonly string[];
}

/** Largest index read: real ones are a few hundred kilobytes even for 100 B-parameter models. */
export const MAX_INDEX_BYTES = 64 * 1024 * 1024;

/** True when the JSON text is a shard index: an object with a `weight_map` of strings. */
export function parseShardIndex(file: string, text: string): ShardIndexFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new NotACheckpointError(file, `not a shard index: invalid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const map = (json as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new NotACheckpointError(file, 'not a shard index: no "weight_map" object naming the shard of each tensor');
  }
  const weightMap = new Map<string, string>();
  for (const [name, shard] of Object.entries(map)) {
    if (typeof shard !== 'string' || !isPlainFileName(shard)) {
      throw new NotACheckpointError(file, `shard index: "weight_map" maps ${name} to ${JSON.stringify(shard)}, not a file name beside the index`);
    }
    weightMap.set(name, shard);
  }
  const total = (json as { metadata?: { total_size?: unknown } }).metadata?.total_size;
  return {
    weightMap,
    ...(typeof total === 'number' && Number.isSafeInteger(total) ? { totalSize: total } : {}),
    shardFiles: [...new Set(weightMap.values())].sort(),
  };
}

/** Shards live beside their index: no folders, no `..`, nothing absolute (a hostile index cannot reach elsewhere). */
function isPlainFileName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\:]/.test(name);
}
