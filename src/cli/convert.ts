// `convert FILE --out DIR [options]`: an SSAST/AST checkpoint to a verified Hugging Face AST folder.
import { existsSync, readFileSync } from 'node:fs';
import { parseCommandArgs, UsageError, type OptionSpecs, type ParsedArgs } from './commandArgs';
import { openInput } from './openInput';
import { isRemote } from './remoteOptions';
import { convertCheckpoint, type ConversionProgress } from '../ast/convertCheckpoint';
import { nodeOutputSink } from '../node/nodeOutputSink';
import { detectModel, type ModelDetection } from '../ast/detect';
import { ConversionCancelledError, ConversionRefusedError, DestinationExistsError } from '../ast/errors';
import { defaultConversionOptions, type ConversionOptions } from '../ast/options';
import { planConversion, type ConversionPlan } from '../ast/plan';
import { parseLabelCsv, parseTypedLabels } from '../ast/labels';

const HELP = `usage: ckpt-ast convert FILE --out DIR [options]

  --out DIR                 destination folder (created; never overwritten without --force)
  --model M                 ASTModel | ASTForAudioClassification (default: the latter when a head is present)
  --patch-size N            must equal the checkpoint's patch size
  --frequency-stride N      default: the grid the position embeddings hold (stride = patch for pretrained models)
  --time-stride N
  --num-mel-bins N          default: 128 (or p_input_fdim)
  --max-length N            frames; default: 1024 (or p_input_tdim)
  --num-attention-heads N   default: hidden size / 64
  --labels FILE.csv|a,b,c   class names for id2label (AudioSet class_labels_indices.csv works)
  --mean X --std Y          feature-extractor normalization (default AudioSet: -4.2677393, 4.5689974)
  --dtype D                 source | float32 | float16 (default source)
  --pooling P               cls | avgtok: how the head was fine-tuned (avgtok is not equivalent under HF)
  --allow-nokd              convert a model without distillation token by duplicating the class token
  --no-preprocessor-config  do not write preprocessor_config.json
  --force                   replace an existing destination
  --dry-run                 print the plan, write nothing
  --json                    machine-readable output

exit status: 0 converted (or planned), 1 usage, 2 unreadable file, 3 refused, 4 destination exists, 130 cancelled`;

/** The options of HELP, each with the placeholder HELP shows for its value. */
const OPTIONS: OptionSpecs = {
  out: { value: 'DIR' }, model: { value: 'M' }, 'patch-size': { value: 'N' }, 'frequency-stride': { value: 'N' },
  'time-stride': { value: 'N' }, 'num-mel-bins': { value: 'N' }, 'max-length': { value: 'N' },
  'num-attention-heads': { value: 'N' }, labels: { value: 'FILE.csv|a,b,c' }, mean: { value: 'X' }, std: { value: 'Y' },
  dtype: { value: 'D' }, pooling: { value: 'P' }, 'allow-nokd': {}, 'no-preprocessor-config': {}, force: {},
  'dry-run': {}, json: {}, help: { short: 'h' },
};

const EXIT = { ok: 0, usage: 1, error: 2, refused: 3, exists: 4, cancelled: 130 } as const;

export async function runConvert(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandArgs(args, OPTIONS);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return usage(err.message);
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) return usage('convert needs exactly one checkpoint FILE');
  const out = typeof v.out === 'string' ? v.out : undefined;
  if (out === undefined && !v['dry-run']) return usage('convert needs --out DIR (or --dry-run)');
  const json = v.json === true;
  if (!isRemote(file) && !existsSync(file)) {
    process.stderr.write(`convert: ${file}: no such file\n`);
    return EXIT.error;
  }

  // A file, a shard index, a model folder or a URL (see openInput); a sharded source reads each tensor from its shard.
  const { index, source, failures } = await openInput(file);
  try {
    if (failures.length > 0) {
      process.stderr.write(failures.map((f) => `convert: ${f}\n`).join(''));
      return EXIT.error;
    }
    const detection = await detectModel(index, source);
    const options = optionsFrom(v, detection);
    if (typeof options === 'string') return usage(options);
    let plan: ConversionPlan;
    try {
      plan = planConversion(index, detection, options);
    } catch (err) {
      if (!(err instanceof ConversionRefusedError)) throw err;
      const hint = cliHint(err);
      emit(json, { status: 'refused', file, reason: err.reason, hint, code: err.code, detection: detection.summary },
        `refused: ${err.message} — ${hint}`, true);
      return EXIT.refused;
    }
    if (v['dry-run']) {
      emit(json, { status: 'planned', ...planSummary(plan) }, dryRunText(plan));
      return EXIT.ok;
    }
    const abort = new AbortController();
    const onSigint = (): void => abort.abort();
    process.once('SIGINT', onSigint);
    try {
      const result = await convertCheckpoint(plan, source, out!, {
        sink: nodeOutputSink,
        force: v.force === true,
        signal: abort.signal,
        onProgress: json || !process.stderr.isTTY ? undefined : showProgress,
        writePreprocessorConfig: v['no-preprocessor-config'] !== true,
        sourceFileName: file,
      });
      const text = [
        `converted ${file} → ${result.outDir}`,
        `  ${plan.detection.summary}`,
        `  ${plan.options.model}, ${plan.tensors.length} tensors, ${formatBytes(plan.totalBytes)}; ${plan.gridDescription}`,
        `  verified: key set, shapes, every tensor byte for byte against its source; report: ${result.reportPath}`,
        ...plan.warnings.map((w) => `  warning: ${w}`),
      ].join('\n');
      emit(json, { status: 'converted', outDir: result.outDir, files: result.files, reportPath: result.reportPath, verification: result.verification, ...planSummary(plan) }, text);
      return EXIT.ok;
    } catch (err) {
      if (err instanceof DestinationExistsError) {
        emit(json, { status: 'exists', outDir: err.outDir, reason: err.message }, `refused: ${err.message}`, true);
        return EXIT.exists;
      }
      if (err instanceof ConversionCancelledError) {
        emit(json, { status: 'cancelled', reason: err.message }, err.message, true);
        return EXIT.cancelled;
      }
      throw err;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  } finally {
    await source.close();
  }
}

type Flags = ParsedArgs['values'];

/** Defaults for this checkpoint overridden by the given flags; a string is a usage error. */
function optionsFrom(v: Flags, detection: ModelDetection): ConversionOptions | string {
  const base = defaultConversionOptions(detection);
  const int = (flag: string, fallback: number): number | string => {
    const s = v[flag];
    if (typeof s !== 'string') return fallback;
    return /^\d+$/.test(s) ? Number(s) : `--${flag} must be a positive integer, got "${s}"`;
  };
  const num = (flag: string, fallback: number): number | string => {
    const s = v[flag];
    if (typeof s !== 'string') return fallback;
    return s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : `--${flag} must be a number, got "${s}"`;
  };
  const choice = <T extends string>(flag: string, allowed: readonly T[], fallback: T | undefined): T | undefined | string => {
    const s = v[flag];
    if (typeof s !== 'string') return fallback;
    return (allowed as readonly string[]).includes(s) ? (s as T) : `--${flag} must be one of ${allowed.join(', ')}, got "${s}"`;
  };
  const model = choice('model', ['ASTModel', 'ASTForAudioClassification'] as const, base.model);
  const dtype = choice('dtype', ['source', 'float32', 'float16'] as const, base.dtype);
  const pooling = choice('pooling', ['cls', 'avgtok'] as const, undefined);
  const numbers = {
    patchSize: int('patch-size', base.patchSize),
    frequencyStride: int('frequency-stride', base.frequencyStride),
    timeStride: int('time-stride', base.timeStride),
    numMelBins: int('num-mel-bins', base.numMelBins),
    maxLength: int('max-length', base.maxLength),
    numAttentionHeads: int('num-attention-heads', base.numAttentionHeads),
    mean: num('mean', base.mean),
    std: num('std', base.std),
  };
  for (const x of [model, dtype, pooling, ...Object.values(numbers)]) {
    if (typeof x === 'string' && x.startsWith('--')) return x;
  }
  const labels = typeof v.labels === 'string' ? readLabels(v.labels) : undefined;
  return {
    ...(numbers as Record<keyof typeof numbers, number>),
    model: model as ConversionOptions['model'],
    dtype: dtype as ConversionOptions['dtype'],
    ...(pooling ? { pooling: pooling as 'cls' | 'avgtok' } : {}),
    ...(labels ? { labels } : {}),
    ...(v['allow-nokd'] ? { allowNokd: true } : {}),
  };
}

/** `--labels` names a CSV file when one exists at that path, else it is the list itself. */
function readLabels(arg: string): string[] {
  return existsSync(arg) ? parseLabelCsv(readFileSync(arg, 'utf8')) : parseTypedLabels(arg);
}

/** The domain's hint plus the flag that accepts a nokd model, which only the CLI knows. */
function cliHint(err: ConversionRefusedError): string {
  return err.code === 'nokd' ? `${err.hint}; rerun with --allow-nokd to accept this` : err.hint;
}

function planSummary(plan: ConversionPlan): Record<string, unknown> {
  return {
    file: plan.sourceFile,
    detection: plan.detection.summary,
    model: plan.options.model,
    options: plan.options,
    grid: plan.gridDescription,
    counts: plan.mapping.counts,
    tensors: plan.tensors.length,
    bytes: plan.totalBytes,
    warnings: plan.warnings,
    config: plan.config,
  };
}

function dryRunText(plan: ConversionPlan): string {
  const { mapped, dropped, unknown } = plan.mapping.counts;
  return [
    `plan for ${plan.sourceFile} (dry run, nothing written)`,
    `  ${plan.detection.summary}`,
    `  → ${plan.options.model}: ${plan.tensors.length} tensors, ${formatBytes(plan.totalBytes)}, dtype ${plan.options.dtype}`,
    `  ${plan.gridDescription}`,
    `  keys: ${mapped} mapped, ${dropped} dropped, ${unknown} unknown`,
    ...plan.mapping.keys.filter((k) => k.status !== 'mapped').map((k) => `    ${k.status} ${k.key}: ${k.reason ?? ''}`),
    ...plan.warnings.map((w) => `  warning: ${w}`),
  ].join('\n');
}

function emit(json: boolean, value: Record<string, unknown>, text: string, toStderr = false): void {
  if (json) process.stdout.write(JSON.stringify(value, null, 2) + '\n');
  else (toStderr ? process.stderr : process.stdout).write(text + '\n');
}

function usage(message: string): number {
  process.stderr.write(`convert: ${message}\nrun "ckpt-ast convert --help" for options\n`);
  return EXIT.usage;
}

function showProgress(p: ConversionProgress): void {
  process.stderr.write(`\r  ${p.tensorsDone}/${p.tensorsTotal} tensors, ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}`
    + (p.tensorsDone === p.tensorsTotal ? '\n' : ''));
}

function formatBytes(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : `${(n / 1024).toFixed(1)} KB`;
}
