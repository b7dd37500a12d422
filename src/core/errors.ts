import type { SafetyReport } from './checkpointIndex';

/**
 * Typed errors of the reading core. Every message is one line: the file, what is wrong, and
 * where (byte offset or zip entry), so the CLI, the editor and the tests can show it as is.
 */
export interface ErrorLocation {
  /** Absolute byte offset in the file (or in the entry, when `entry` is set). */
  readonly offset?: number;
  /** Zip entry the problem is in. */
  readonly entry?: string;
}

export class CheckpointError extends Error {
  readonly file: string;
  readonly offset?: number;
  readonly entry?: string;

  constructor(file: string, problem: string, where: ErrorLocation = {}) {
    super(`${file}: ${problem}${describeWhere(where)}`);
    this.name = new.target.name;
    this.file = file;
    this.offset = where.offset;
    this.entry = where.entry;
  }
}

function describeWhere({ offset, entry }: ErrorLocation): string {
  if (entry !== undefined && offset !== undefined) return ` (entry ${entry}, byte ${offset})`;
  if (entry !== undefined) return ` (entry ${entry})`;
  if (offset !== undefined) return ` (at byte ${offset})`;
  return '';
}

export class ZipFormatError extends CheckpointError {}
export class PickleFormatError extends CheckpointError {}
export class TorchFormatError extends CheckpointError {}
export class SafetensorsFormatError extends CheckpointError {}
/** Not a format we read. For a plain pickle, `safety` still says what torch.load would run. */
export class NotACheckpointError extends CheckpointError {
  readonly safety?: SafetyReport;

  constructor(file: string, problem: string, where: ErrorLocation = {}, safety?: SafetyReport) {
    super(file, problem, where);
    if (safety !== undefined) this.safety = safety;
  }
}
