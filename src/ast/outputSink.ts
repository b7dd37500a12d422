/**
 * Everything a conversion needs of the world it writes into, so the AST domain itself stays free of
 * any file system: one Node implementation (src/node/nodeOutputSink.ts) serves the CLI and the
 * extension, and the domain code is the same wherever it runs.
 */
import type { ByteSource } from '../core/io/byteSource';

/** A file being written: positional writes (each may write fewer bytes than given), then flush and close. */
export interface OutputFile {
  /** Writes a prefix of `bytes` at `position`; resolves with how many bytes it wrote. */
  write(bytes: Uint8Array, position: number): Promise<number>;
  /** Resolves once the written bytes are on disk. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The folder a conversion writes and verifies before it is committed into place. */
export interface OutputFolder {
  /** Shown in messages (a path). */
  readonly name: string;
  /** Creates `file` in the folder; fails when it exists. */
  createFile(file: string): Promise<OutputFile>;
  writeText(file: string, text: string): Promise<void>;
  readText(file: string): Promise<string>;
  /** Positional reads of a written file, to verify it as a loader would read it. */
  openSource(file: string): Promise<ByteSource>;
}

/** Where conversions go: all or nothing, via a staging folder that is committed or discarded. */
export interface OutputSink {
  /** The destination as it will be reported (an absolute path for files). */
  resolve(outDir: string): string;
  /** `file` inside the destination `dest`, as reported. */
  pathIn(dest: string, file: string): string;
  exists(dest: string): Promise<boolean>;
  /** A fresh staging folder for `dest` (what earlier crashed runs left there is cleaned up first). */
  stage(dest: string): Promise<OutputFolder>;
  /** Moves the staged folder into place; an existing destination only goes with `replace`. */
  commit(folder: OutputFolder, dest: string, replace: boolean): Promise<void>;
  /**
   * Moves the single file `file` of a staged folder into place as the file `destFile` (for outputs that
   * are one file, e.g. `x.safetensors` or `x.npy`) and removes the folder; an existing file only goes
   * with `replace`.
   */
  commitFile(folder: OutputFolder, file: string, destFile: string, replace: boolean): Promise<void>;
  /** Removes the staged folder after a failure or a cancel. */
  discard(folder: OutputFolder): Promise<void>;
  /** sha256 hex of `bytes` (names the source pickle in the report). */
  sha256(bytes: Uint8Array): Promise<string>;
}
