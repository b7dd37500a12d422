// `diff A B [--json] [--no-values] [--threshold X] [--strict]`: compare two checkpoints tensor by tensor.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { comparedTensors, type NotCompared } from '../ast/comparedTensors';
import { hfAstAligner } from '../ast/compareAligner';
import type { CheckpointIndex } from '../core/checkpointIndex';
import { compareCheckpoints } from '../core/compare/compareCheckpoints';
import { CheckpointError } from '../core/errors';
import type { ByteSource } from '../core/io/byteSource';
import { openCheckpoint } from '../core/openCheckpoint';
import { openCliSource } from './cliSource';
import { diffJson, diffTable, exitCodeOf, type DiffInput } from './diffReport';
import { writeStdout } from './stdout';
import { parseCommandArgs, UsageError, type OptionSpecs } from './commandArgs';

const HELP = `usage: ckpt-ast diff A B [--json] [--no-values] [--threshold X] [--strict]

  A, B            checkpoints (torch zip or legacy, safetensors) or Hugging Face folders (their model.safetensors)
  --json          print one JSON object: {a, b, summary, pairs}
  --no-values     compare the two listings only (dtype and shape: same-metadata); reads no tensor value
  --threshold X   a pair that differs with relative L2 ‖a−b‖/‖a‖ ≤ X is "close"
  --strict        also fail on close pairs and on tensors the SSAST → HF rules drop

exit status: 0 no pair different, shape-changed, dtype-changed, only-in-a or only-in-b; 1 otherwise or usage;
2 unreadable or not a checkpoint; 130 cancelled`;

const OPTIONS: OptionSpecs = {
  json: {}, 'no-values': {}, threshold: { value: 'X' }, strict: {}, help: { short: 'h' },
};

interface DiffFlags {
  readonly json: boolean;
  readonly values: boolean;
  readonly strict: boolean;
  readonly threshold?: number;
  readonly files: readonly [string, string];
}

/** Every option of the command, parsed and checked in one place; a string is a usage error. */
function readFlags(args: string[]): DiffFlags | 'help' | string {
  let parsed;
  try {
    parsed = parseCommandArgs(args, OPTIONS);
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  const { values: v, positionals } = parsed;
  if (v.help) return 'help';
  if (positionals.length !== 2) return `diff needs two checkpoints A and B, got ${positionals.length}`;
  let threshold: number | undefined;
  if (v.threshold !== undefined) {
    threshold = Number(v.threshold);
    if (v.threshold === true || v.threshold.trim() === '' || !Number.isFinite(threshold) || threshold < 0) return `--threshold must be a number ≥ 0, got "${v.threshold}"`;
  }
  return {
    json: v.json === true, values: v['no-values'] !== true, strict: v.strict === true,
    ...(threshold !== undefined ? { threshold } : {}),
    files: [positionals[0]!, positionals[1]!],
  };
}

export async function runDiff(args: string[]): Promise<number> {
  const flags = readFlags(args);
  if (flags === 'help') {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (typeof flags === 'string') {
    process.stderr.write(`diff: ${flags}\nrun "ckpt-ast diff --help" for options\n`);
    return 1;
  }
  const opened: ByteSource[] = [];
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    const sides = [];
    for (const file of flags.files) {
      const source = await openCliSource(checkpointFileOf(file));
      opened.push(source);
      const index = await openCheckpoint(source);
      sides.push({ file, source, index, ...comparedTensors(index) });
    }
    const [a, b] = sides as [Side, Side];
    const comparison = await compareCheckpoints(a, b, {
      values: flags.values,
      ...(flags.threshold !== undefined ? { threshold: flags.threshold } : {}),
      align: await hfAstAligner(a, b, flags.values),
      signal: abort.signal,
    });
    const input: DiffInput = { a: a.file, b: b.file, comparison, notCompared: notComparedOf(a, b) };
    writeStdout(flags.json ? [diffJson(input) + '\n'] : diffTable(input, { a: describe(a.index, a.tensors.length), b: describe(b.index, b.tensors.length) }));
    return exitCodeOf(comparison, flags.strict);
  } catch (err) {
    if (abort.signal.aborted) {
      process.stderr.write('diff: cancelled\n');
      return 130;
    }
    if (!(err instanceof CheckpointError) && !(err instanceof RangeError) && !isFileSystemError(err)) throw err;
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  } finally {
    process.removeListener('SIGINT', onSigint);
    await Promise.all(opened.map((s) => s.close()));
  }
}

interface Side {
  readonly file: string;
  readonly source: ByteSource;
  readonly index: CheckpointIndex;
  readonly tensors: CheckpointIndex['tensors'];
  readonly notCompared: NotCompared[];
}

/** A Hugging Face folder is compared by its model.safetensors. */
function checkpointFileOf(path: string): string {
  if (!existsSync(path)) throw new CheckpointError(path, 'no such file or folder');
  if (!statSync(path).isDirectory()) return path;
  const weights = join(path, 'model.safetensors');
  if (!existsSync(weights)) throw new CheckpointError(path, 'a folder without model.safetensors');
  return weights;
}

function notComparedOf(a: Side, b: Side): DiffInput['notCompared'] {
  return [...a.notCompared.map((n) => ({ side: 'a' as const, ...n })), ...b.notCompared.map((n) => ({ side: 'b' as const, ...n }))];
}

function describe(index: CheckpointIndex, compared: number): string {
  return `${index.format}, ${compared} of ${index.tensors.length} tensors compared`;
}

function isFileSystemError(err: unknown): boolean {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && (err as NodeJS.ErrnoException).syscall !== undefined;
}
