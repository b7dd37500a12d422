/**
 * Positional, asynchronous reads: the only way the format core touches a file.
 * Node file handles back it in the CLI and for `file:` URIs; the extension can wrap
 * `workspace.fs` for other schemes. Readers never ask for the whole file.
 */
export interface ByteSource {
  /** Shown in error messages: a path or a URI string. */
  readonly name: string;
  /** Total size in bytes. */
  readonly size: number;
  /**
   * Exactly `length` bytes starting at `offset`. Rejects (never short-reads) when the
   * range is outside the file.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * Optional: fills `target` with the `target.length` bytes at `offset`, on the same terms as `read`.
   * Streaming readers use it to recycle their chunk buffers instead of allocating (and zeroing) one per
   * chunk, which on a 355 MB conversion costs more than the copy itself.
   */
  readInto?(offset: number, target: Uint8Array): Promise<void>;
  /**
   * Optional hint: the caller is about to read these `[offset, length]` ranges. A source where each read is a
   * round trip (HTTP) fetches them together; reads afterwards are served from what came back. Never changes
   * what `read` returns, so a wrong guess only costs time.
   */
  prefetch?(ranges: readonly (readonly [number, number])[]): Promise<void>;
  close(): Promise<void>;
}
