import type { Refusal } from './detect';

/**
 * Stable machine-readable kinds of conversion errors (the `code` of their ErrorShape, see
 * src/core/errors.ts): a detection refusal's own code, or what else stopped the conversion.
 */
export type ConversionErrorCode = Refusal['code'] | 'refused' | 'destination-exists' | 'cancelled' | 'verification-failed';

/**
 * The checkpoint cannot become an HF AST folder; `hint` says what the user can do. `code` is the
 * detection's refusal when that is the cause (so a front end can add its own way to allow it),
 * `refused` for every other refusal.
 */
export class ConversionRefusedError extends Error {
  readonly code: Refusal['code'] | 'refused';

  constructor(readonly file: string, readonly reason: string, readonly hint: string, code?: Refusal['code']) {
    super(`${file}: ${reason}`);
    this.name = 'ConversionRefusedError';
    this.code = code ?? 'refused';
  }
}

/** The destination exists and `force` was not given: nothing was written. */
export class DestinationExistsError extends Error {
  constructor(readonly outDir: string) {
    super(`${outDir} already exists; choose another name or replace it (--force)`);
    this.name = 'DestinationExistsError';
  }

  get code(): ConversionErrorCode { return 'destination-exists'; }
}

/** The AbortSignal fired: the temporary folder was removed, nothing was written. */
export class ConversionCancelledError extends Error {
  constructor(readonly outDir: string) {
    super(`conversion to ${outDir} cancelled; nothing was written`);
    this.name = 'ConversionCancelledError';
  }

  get code(): ConversionErrorCode { return 'cancelled'; }
}

/** The written folder did not re-read as planned: it is removed, never renamed into place. */
export class VerificationError extends Error {
  constructor(readonly outDir: string, readonly problems: readonly string[]) {
    super(`verification of ${outDir} failed: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (+${problems.length - 3} more)` : ''}`);
    this.name = 'VerificationError';
  }

  get code(): ConversionErrorCode { return 'verification-failed'; }
}
