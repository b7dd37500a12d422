import { version as converterVersion } from '../../package.json';
import type { ByteSource } from '../core/io/byteSource';
import type { TensorInfo } from '../core/tensors/tensorInfo';
import { sourceDataPklSha256 } from '../core/torch/dataPklSha256';
import { ChunkBuffers, readTensor, streamTensor } from '../core/tensors/tensorReader';
import { ConversionCancelledError, DestinationExistsError, VerificationError } from './errors';
import type { ConversionPlan } from './plan';
import { produceTensor, unchangedSlice } from './produceTensor';
import { reportJson, reportMarkdown } from './report';
import type { OutputFolder, OutputSink } from './outputSink';
import { SafetensorsWriter } from './safetensorsWriter';
import { verifyFolder, type VerificationOutcome, type VerificationSummary } from './verify';

export interface ConversionProgress {
  readonly tensorsDone: number;
  readonly tensorsTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

export interface ConvertOptions {
  readonly force?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: ConversionProgress) => void;
  /** Default true. */
  readonly writePreprocessorConfig?: boolean;
  /** Recorded in the safetensors metadata and the report. */
  readonly sourceFileName: string;
  /** Where the folder is written (src/node/nodeOutputSink.ts for local folders). */
  readonly sink: OutputSink;
}

export interface ConversionResult {
  readonly outDir: string;
  /** File names inside outDir. */
  readonly files: readonly string[];
  readonly reportPath: string;
  readonly warnings: readonly string[];
  readonly verified: true;
  readonly verification: VerificationSummary;
}

/**
 * Writes the planned HF folder: streams tensor by tensor into model.safetensors (copies and q/k/v
 * rows in chunks; memory holds at most one computed tensor and its source), writes the configs,
 * verifies by re-reading while model.safetensors is flushed to disk, writes the reports, then renames
 * the staging folder into place. Any failure, cancel or crash leaves no destination folder; the
 * source is only read.
 */
export async function convertCheckpoint(plan: ConversionPlan, source: ByteSource, outDir: string, opts: ConvertOptions): Promise<ConversionResult> {
  const { sink, signal } = opts;
  const dest = sink.resolve(outDir);
  if ((await sink.exists(dest)) && !opts.force) throw new DestinationExistsError(dest);
  const staging = await sink.stage(dest);
  try {
    const dataPklSha256 = await sourceDataPklSha256(source, (bytes) => sink.sha256(bytes));
    const model = await writeModel(plan, source, staging, { ...opts, dataPklSha256 });
    // The fsync ran alongside verification; both are done (or failed) before anything is judged or committed.
    const { files, problems, summary } = await writeConfigsAndVerify(plan, source, staging, opts).finally(() => model.flushed);
    if (problems.length > 0) throw new VerificationError(dest, problems);
    files.push('conversion-report.md', 'conversion-report.json');
    const report = { plan, converterVersion, files, verification: summary, ...(dataPklSha256 ? { dataPklSha256 } : {}) };
    await staging.writeText('conversion-report.md', reportMarkdown(report));
    await writeJson(staging, 'conversion-report.json', reportJson(report));
    throwIfAborted(signal, dest);
    await sink.commit(staging, dest, opts.force === true);
    return { outDir: dest, files, reportPath: sink.pathIn(dest, 'conversion-report.md'), warnings: plan.warnings, verified: true, verification: summary };
  } catch (err) {
    await sink.discard(staging);
    if (signal?.aborted) throw new ConversionCancelledError(dest);
    throw err;
  }
}

async function writeConfigsAndVerify(plan: ConversionPlan, source: ByteSource, staging: OutputFolder, opts: ConvertOptions): Promise<{ files: string[] } & VerificationOutcome> {
  const files = ['model.safetensors', 'config.json'];
  await writeJson(staging, 'config.json', plan.config);
  if (opts.writePreprocessorConfig !== false) {
    await writeJson(staging, 'preprocessor_config.json', plan.preprocessorConfig);
    files.push('preprocessor_config.json');
  }
  throwIfAborted(opts.signal, staging.name);
  return { files, ...(await verifyFolder(staging, plan, source, opts.signal)) };
}

/** Chunks of 8 MiB: large enough that per-read overhead vanishes, small enough to keep memory flat. */
const CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * Writes model.safetensors. Returns `flushed`: the file's fsync, left running (it is mostly disk time)
 * so verification overlaps it; it must be awaited before the folder is committed.
 */
async function writeModel(plan: ConversionPlan, source: ByteSource, dir: OutputFolder, opts: ConvertOptions & { dataPklSha256?: string }): Promise<{ flushed: Promise<void> }> {
  const file = await dir.createFile('model.safetensors');
  try {
    const writer = new SafetensorsWriter(file, plan.tensors);
    await writer.writeHeader({
      format: 'pt',
      source_file: baseName(opts.sourceFileName),
      ...(opts.dataPklSha256 ? { source_data_pkl_sha256: opts.dataPklSha256 } : {}),
      converter: `ssast-hf-ast ${converterVersion}`,
    });
    const reads = new SourceCache(source);
    const buffers = new ChunkBuffers(CHUNK_BYTES);
    let bytesDone = 0;
    for (const [i, t] of plan.tensors.entries()) {
      throwIfAborted(opts.signal, dir.name);
      const slice = unchangedSlice(t);
      await writer.writeTensor(slice
        ? streamTensor(source, slice, { buffers, signal: opts.signal })
        : [produceTensor(t, await reads.get(t.source, opts.signal))]);
      bytesDone += t.byteLength;
      opts.onProgress?.({ tensorsDone: i + 1, tensorsTotal: plan.tensors.length, bytesDone, bytesTotal: plan.totalBytes });
    }
    await writer.finish();
  } catch (err) {
    await file.close();
    throw err;
  }
  const flushed = file.sync().finally(() => file.close());
  // Awaited by the caller later; a failure is reported there, not as an unhandled rejection meanwhile.
  flushed.catch(() => undefined);
  return { flushed };
}

/** Keeps the last two source tensors: q, k and v alternate weight/bias slices of the same two. */
class SourceCache {
  private readonly entries: { tensor: TensorInfo; bytes: Uint8Array }[] = [];

  constructor(private readonly source: ByteSource) {}

  async get(tensor: TensorInfo, signal?: AbortSignal): Promise<Uint8Array> {
    const hit = this.entries.find((e) => e.tensor === tensor);
    if (hit) return hit.bytes;
    const bytes = await readTensor(this.source, tensor, signal);
    this.entries.push({ tensor, bytes });
    if (this.entries.length > 2) this.entries.shift();
    return bytes;
  }
}

function throwIfAborted(signal: AbortSignal | undefined, dest: string): void {
  if (signal?.aborted) throw new ConversionCancelledError(dest);
}

async function writeJson(folder: OutputFolder, file: string, value: unknown): Promise<void> {
  await folder.writeText(file, JSON.stringify(value, null, 2) + '\n');
}

/** The last part of a path, `/` or `\\` separated (the file name recorded in the output). */
function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}
