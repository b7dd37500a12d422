// Opening what a user points at when shards may be involved: a checkpoint file, a shard index (by content:
// JSON, never by name), or a model folder (save_pretrained's file names), all through a SiblingOpener so
// local paths, URLs and workspace URIs work alike.
import type { CheckpointIndex } from '../checkpointIndex';
import { NotACheckpointError } from '../errors';
import type { ByteSource } from '../io/byteSource';
import { openCheckpoint } from '../openCheckpoint';
import { looksLikeSafetensors } from '../safetensors/safetensorsCheckpoint';
import { isFileNotFound, openShardedCheckpoint, type ShardOpenOptions, type ShardSummary, type SiblingOpener } from './shardedCheckpoint';

export interface OpenedCheckpoint {
  readonly index: CheckpointIndex;
  /** Reads `index`'s tensors (the shards joined, for an index). Close it when done. */
  readonly source: ByteSource;
  /** Set for a shard index. */
  readonly shards?: readonly ShardSummary[];
  /** Shard file of each tensor of `index`, for a shard index. */
  readonly tensorShards?: readonly string[];
}

/** A checkpoint file or a shard index. Takes ownership of `source` (closed on failure, or with the result). */
export async function openCheckpointOrIndex(source: ByteSource, openSibling: SiblingOpener, opts: ShardOpenOptions = {}): Promise<OpenedCheckpoint> {
  try {
    // A safetensors file is checked first: its 8-byte header length may start with the bytes of '{"'.
    if ((await looksLikeSafetensors(source)) || !(await startsWithJsonObject(source))) return { index: await openCheckpoint(source), source };
    const sharded = await openShardedCheckpoint(source, openSibling, opts);
    await source.close();
    return sharded;
  } catch (err) {
    await source.close();
    throw err;
  }
}

/** save_pretrained's weight files, in the order transformers prefers them. */
export const MODEL_WEIGHT_FILES = ['model.safetensors', 'model.safetensors.index.json', 'pytorch_model.bin', 'pytorch_model.bin.index.json'] as const;

export interface OpenedFolder extends OpenedCheckpoint {
  /** Which of MODEL_WEIGHT_FILES was found. */
  readonly weightsFile: string;
  /** config.json beside the weights, parsed; undefined when there is none. */
  readonly config?: unknown;
  /** Problems with config.json (unreadable, not JSON). */
  readonly configProblem?: string;
}

const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** A model folder: the first weights file of MODEL_WEIGHT_FILES that opens, and config.json. `folder` names it in messages. */
export async function openModelFolder(folder: string, openInFolder: SiblingOpener, opts: ShardOpenOptions = {}): Promise<OpenedFolder> {
  let weights: { file: string; source: ByteSource } | undefined;
  for (const file of MODEL_WEIGHT_FILES) {
    try {
      weights = { file, source: await openInFolder(file) };
      break;
    } catch (err) {
      if (!isFileNotFound(err)) throw err;
    }
  }
  if (weights === undefined) throw new NotACheckpointError(folder, `no model weights in the folder (looked for ${MODEL_WEIGHT_FILES.join(', ')})`);
  const opened = await openCheckpointOrIndex(weights.source, openInFolder, opts);
  const config = await readConfig(openInFolder);
  return { ...opened, weightsFile: weights.file, ...config };
}

async function readConfig(openInFolder: SiblingOpener): Promise<{ config?: unknown; configProblem?: string }> {
  let source: ByteSource;
  try {
    source = await openInFolder('config.json');
  } catch (err) {
    return isFileNotFound(err) ? {} : { configProblem: `config.json: ${err instanceof Error ? err.message : String(err)}` };
  }
  try {
    if (source.size > MAX_CONFIG_BYTES) return { configProblem: `config.json is ${source.size} bytes, more than the ${MAX_CONFIG_BYTES}-byte limit` };
    return { config: JSON.parse(new TextDecoder().decode(await source.read(0, source.size))) };
  } catch (err) {
    return { configProblem: `config.json is not valid JSON (${err instanceof Error ? err.message : String(err)})` };
  } finally {
    await source.close();
  }
}

async function startsWithJsonObject(source: ByteSource): Promise<boolean> {
  const head = await source.read(0, Math.min(source.size, 64));
  for (const byte of head) {
    if (byte === 0x7b) return true; // '{'
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09 && byte !== 0xef && byte !== 0xbb && byte !== 0xbf) return false;
  }
  return false;
}
