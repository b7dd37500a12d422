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

/** Stable machine-readable kind of a reading error (the `code` of ErrorShape). */
export type CheckpointErrorCode =
  | 'zip-format'
  | 'pickle-format'
  | 'torch-format'
  | 'safetensors-format'
  | 'numpy-format'
  | 'not-a-checkpoint'
  | 'http'
  | 'io';

export class CheckpointError extends Error {
  readonly file: string;
  readonly offset?: number;
  readonly entry?: string;
  /**
   * What torch.load would run, as far as the pickle was read before the error: a malformed pickle
   * that already named globals still has a verdict (never an error without one).
   */
  safety?: SafetyReport;

  constructor(file: string, problem: string, where: ErrorLocation = {}) {
    super(`${file}: ${problem}${describeWhere(where)}`);
    this.name = new.target.name;
    this.file = file;
    this.offset = where.offset;
    this.entry = where.entry;
  }

  get code(): CheckpointErrorCode {
    return 'io';
  }
}

function describeWhere({ offset, entry }: ErrorLocation): string {
  if (entry !== undefined && offset !== undefined) return ` (entry ${entry}, byte ${offset})`;
  if (entry !== undefined) return ` (entry ${entry})`;
  if (offset !== undefined) return ` (at byte ${offset})`;
  return '';
}

export class ZipFormatError extends CheckpointError {
  override get code(): CheckpointErrorCode { return 'zip-format'; }
}
export class PickleFormatError extends CheckpointError {
  override get code(): CheckpointErrorCode { return 'pickle-format'; }
}
export class TorchFormatError extends CheckpointError {
  override get code(): CheckpointErrorCode { return 'torch-format'; }
}
export class SafetensorsFormatError extends CheckpointError {
  override get code(): CheckpointErrorCode { return 'safetensors-format'; }
}
export class NumpyFormatError extends CheckpointError {
  override get code(): CheckpointErrorCode { return 'numpy-format'; }
}
/** Not a format we read. For a plain pickle, `safety` still says what torch.load would run. */
export class NotACheckpointError extends CheckpointError {
  constructor(file: string, problem: string, where: ErrorLocation = {}, safety?: SafetyReport) {
    super(file, problem, where);
    if (safety !== undefined) this.safety = safety;
  }

  override get code(): CheckpointErrorCode { return 'not-a-checkpoint'; }
}

/**
 * Reading a file over HTTP failed: the server refused (401/403/404), gave up (timeouts, 429/5xx past the retries),
 * cannot serve ranges, dropped the connection, or the file changed between requests. `status` is the last HTTP
 * status seen, when there was one. Messages never carry the auth token.
 */
export class HttpError extends CheckpointError {
  readonly status?: number;

  constructor(file: string, problem: string, status?: number) {
    super(file, problem);
    if (status !== undefined) this.status = status;
  }

  override get code(): CheckpointErrorCode { return 'http'; }
}
/** The server answers ranged requests with the whole file: reading needs a download first. */
export class RangeNotSupportedError extends HttpError {}

/**
 * The one error shape every boundary carries (core → worker → host → webview, and `--json`):
 * plain data, so it survives structured cloning and JSON alike.
 */
export interface ErrorShape {
  readonly name: string;
  /**
   * CheckpointErrorCode here, 'internal' for an error without a code; other layers add theirs
   * (ConversionErrorCode in src/ast/errors.ts, ProtocolErrorCode in src/protocol/rpc.ts).
   */
  readonly code: string;
  readonly message: string;
  readonly file?: string;
  readonly offset?: number;
  readonly entry?: string;
}

/** Any thrown value as an ErrorShape; errors that carry a `code` of their own keep it. */
export function errorShape(err: unknown): ErrorShape {
  if (err instanceof CheckpointError) {
    return {
      name: err.name, code: err.code, message: err.message, file: err.file,
      ...(err.offset !== undefined ? { offset: err.offset } : {}),
      ...(err.entry !== undefined ? { entry: err.entry } : {}),
    };
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, code: typeof code === 'string' ? code : 'internal', message: err.message };
  }
  return { name: 'Error', code: 'internal', message: String(err) };
}
