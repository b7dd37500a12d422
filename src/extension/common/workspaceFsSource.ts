import * as vscode from 'vscode';
import type { ByteSource } from '../../core/io/byteSource';

/** workspace.fs returns whole files; beyond this the extension host's memory is at risk. */
const MAX_IN_MEMORY_BYTES = 2 * 1024 ** 3;

/**
 * ByteSource for URIs that only `workspace.fs` can reach (remote, virtual and custom file systems).
 * `workspace.fs` has no positional reads, so the file is fetched once on first read and ranges are
 * served from memory; `file:` URIs never come here (they use the core's positional file reads).
 */
export class WorkspaceFsSource implements ByteSource {
  private bytes: Promise<Uint8Array> | undefined;
  private closed = false;

  private constructor(
    private readonly uri: vscode.Uri,
    readonly size: number,
  ) {}

  static async open(uri: vscode.Uri): Promise<WorkspaceFsSource> {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.size > MAX_IN_MEMORY_BYTES) {
      throw new Error(
        `${uri.toString(true)}: ${stat.size} bytes is more than the ${MAX_IN_MEMORY_BYTES} this file system lets the inspector read (it has no partial reads); open a local copy`,
      );
    }
    return new WorkspaceFsSource(uri, stat.size);
  }

  get name(): string {
    return this.uri.toString(true);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (this.closed) throw new Error(`${this.name}: read after close`);
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new RangeError(`${this.name}: read of ${length} bytes at offset ${offset} is outside the file (${this.size} bytes)`);
    }
    this.bytes ??= Promise.resolve(vscode.workspace.fs.readFile(this.uri));
    const all = await this.bytes;
    if (all.length !== this.size) {
      throw new Error(`${this.name}: file changed while reading (${all.length} bytes now, ${this.size} at open)`);
    }
    return all.subarray(offset, offset + length);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.bytes = undefined;
  }
}
