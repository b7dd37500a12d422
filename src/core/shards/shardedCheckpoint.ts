// A sharded checkpoint (save_pretrained's index + shard files) listed as one: every shard's metadata read
// (never its tensor data), tensors rebased into one joined source so statistics and conversion read each
// from its shard, unreadable shards named while the rest list, and the index checked against the shards.
import type { CheckpointIndex, GlobalRef, MetaValue, SafetyReport, SafetyVerdict } from '../checkpointIndex';
import { NotACheckpointError } from '../errors';
import type { ByteSource } from '../io/byteSource';
import { concatSource, type ConcatPart } from '../io/concatSource';
import { openCheckpoint } from '../openCheckpoint';
import type { TensorInfo } from '../tensors/tensorInfo';
import { MAX_INDEX_BYTES, parseShardIndex, type ShardIndexFile } from './shardIndex';

/** Opens a file beside the index by its name: a local path, a URL or a workspace URI, as the caller resolves it. */
export type SiblingOpener = (name: string) => Promise<ByteSource>;

export interface ShardSummary {
  readonly file: string;
  /** Tensors listed from it (for an unreadable shard: how many the index maps to it). */
  readonly tensors: number;
  /** Size of the shard file; 0 when it could not be opened. */
  readonly bytes: number;
  readonly format?: CheckpointIndex['format'];
  /** The file is not there (no such file, HTTP 404). */
  readonly missing?: true;
  /** Why it could not be listed, one line. */
  readonly error?: string;
}

export interface ShardedCheckpoint {
  /** All shards' tensors, rebased into `source`, in shard order then file order. */
  readonly index: CheckpointIndex;
  /** The shards joined: read tensors of `index` through it. Closing it closes every shard. */
  readonly source: ByteSource;
  readonly shards: readonly ShardSummary[];
  /** Shard file of `index.tensors[i]`. */
  readonly tensorShards: readonly string[];
}

export interface ShardOpenOptions {
  readonly signal?: AbortSignal;
  /** Called after each shard is listed (or fails). */
  readonly onProgress?: (shardsDone: number, shardsTotal: number) => void;
}

/** Shards listed at once: over HTTP each is a few round trips. */
const SHARDS_IN_FLIGHT = 4;

/** The index's text: the whole (small) file, refused past MAX_INDEX_BYTES. */
export async function readShardIndex(source: ByteSource): Promise<ShardIndexFile> {
  if (source.size > MAX_INDEX_BYTES) throw new NotACheckpointError(source.name, `shard index of ${source.size} bytes is larger than the ${MAX_INDEX_BYTES}-byte limit`);
  return parseShardIndex(source.name, new TextDecoder().decode(await source.read(0, source.size)));
}

type Listed = { readonly file: string; readonly source: ByteSource; readonly index: CheckpointIndex } | { readonly file: string; readonly error: unknown };

export async function openShardedCheckpoint(indexSource: ByteSource, openSibling: SiblingOpener, opts: ShardOpenOptions = {}): Promise<ShardedCheckpoint> {
  const shardIndex = await readShardIndex(indexSource);
  const files = shardIndex.shardFiles;
  const listed: Listed[] = new Array(files.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      opts.signal?.throwIfAborted();
      listed[i] = await listShard(files[i]!, openSibling);
      opts.onProgress?.(++done, files.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(SHARDS_IN_FLIGHT, files.length) }, worker));
  } catch (err) {
    await Promise.allSettled(listed.map((l) => ('source' in l ? l.source.close() : undefined)));
    throw err;
  }
  return combine(indexSource, shardIndex, listed);
}

async function listShard(file: string, openSibling: SiblingOpener): Promise<Listed> {
  let source: ByteSource;
  try {
    source = await openSibling(file);
  } catch (err) {
    return { file, error: err };
  }
  try {
    return { file, source, index: await openCheckpoint(source) };
  } catch (err) {
    await source.close();
    return { file, error: err };
  }
}

function combine(indexSource: ByteSource, shardIndex: ShardIndexFile, listed: readonly Listed[]): ShardedCheckpoint {
  const mappedCount = new Map<string, number>();
  for (const shard of shardIndex.weightMap.values()) mappedCount.set(shard, (mappedCount.get(shard) ?? 0) + 1);
  const parts: ConcatPart[] = [];
  const tensors: TensorInfo[] = [];
  const tensorShards: string[] = [];
  const shards: ShardSummary[] = [];
  const warnings: string[] = [];
  const metadata: (readonly [string, MetaValue])[] = [];
  const foundIn = new Map<string, string>();
  let base = 0;
  for (const shard of listed) {
    if ('error' in shard) {
      shards.push({ file: shard.file, tensors: mappedCount.get(shard.file) ?? 0, bytes: 0, ...(isFileNotFound(shard.error) ? { missing: true as const } : {}), error: oneLine(shard.error) });
      continue;
    }
    const { index, source } = shard;
    parts.push({ source, base });
    for (const t of index.tensors) {
      const earlier = foundIn.get(t.name);
      if (earlier !== undefined) warnings.push(`${t.name} is in both ${earlier} and ${shard.file}; the listing shows both`);
      else foundIn.set(t.name, shard.file);
      const mapped = shardIndex.weightMap.get(t.name);
      if (mapped === undefined) warnings.push(`${shard.file} holds ${t.name}, which the index does not list`);
      else if (mapped !== shard.file) warnings.push(`the index maps ${t.name} to ${mapped}, but ${shard.file} holds it`);
      tensors.push(rebase(t, base));
      tensorShards.push(shard.file);
    }
    warnings.push(...index.warnings.map((w) => `${shard.file}: ${w}`));
    metadata.push([shard.file, index.metadata]);
    shards.push({ file: shard.file, tensors: index.tensors.length, bytes: source.size, format: index.format });
    base += source.size;
  }
  const readable = new Set(shards.filter((s) => s.error === undefined).map((s) => s.file));
  for (const [name, shard] of shardIndex.weightMap) {
    if (readable.has(shard) && !foundIn.has(name)) warnings.push(`the index maps ${name} to ${shard}, which does not hold it`);
  }
  const indexes = listed.flatMap((l) => ('index' in l ? [l.index] : []));
  const tensorBytes = tensors.reduce((sum, t) => sum + t.bytes, 0);
  if (shardIndex.totalSize !== undefined && readable.size === shards.length && tensorBytes !== shardIndex.totalSize) {
    warnings.push(`the index's metadata.total_size is ${shardIndex.totalSize} bytes, but the shards' tensors hold ${tensorBytes}`);
  }
  const source = concatSource(indexSource.name, parts);
  const index: CheckpointIndex = {
    file: indexSource.name,
    format: indexes[0]?.format ?? 'safetensors',
    fileSize: base,
    tensors,
    metadata: { kind: 'dict', entries: metadata },
    stateDicts: tensors.length > 0 ? [{ path: [], tensorCount: tensors.length }] : [],
    warnings,
    safety: mergeSafety(indexes.map((i) => i.safety)),
    headerMetadata: indexes.find((i) => i.format === 'safetensors')?.headerMetadata ?? {},
  };
  return { index, source, shards, tensorShards };
}

/** The same tensor, its byte offsets moved into the joined source. */
function rebase(t: TensorInfo, base: number): TensorInfo {
  if (base === 0) return t;
  return { ...t, storage: { ...t.storage, byteStart: t.storage.byteStart + base }, byteRange: [t.byteRange[0] + base, t.byteRange[1] + base] };
}

/** A sibling opener's "no such file": Node's ENOENT, VS Code's FileSystemError FileNotFound, HTTP 404. */
export function isFileNotFound(err: unknown): boolean {
  const e = err as { code?: unknown; status?: unknown } | null;
  return e?.code === 'ENOENT' || e?.code === 'FileNotFound' || e?.status === 404;
}

function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!;
}

const VERDICT_RANK: Readonly<Record<SafetyVerdict, number>> = { safe: 0, 'not-weights-only': 1, dangerous: 2 };

/** What torch.load of every shard would run: each global once with its counts added, the worst verdict. */
function mergeSafety(reports: readonly SafetyReport[]): SafetyReport {
  const globals = new Map<string, GlobalRef>();
  let verdict: SafetyVerdict = 'safe';
  for (const report of reports) {
    if (VERDICT_RANK[report.verdict] > VERDICT_RANK[verdict]) verdict = report.verdict;
    for (const g of report.globals) {
      const seen = globals.get(g.name);
      globals.set(g.name, seen ? { ...seen, count: seen.count + g.count } : g);
    }
  }
  return { verdict, globals: [...globals.values()] };
}
