import type { CheckpointIndex } from '../core/checkpointIndex';
import type { ByteSource } from '../core/io/byteSource';
import type { TensorInfo } from '../core/tensors/tensorInfo';

/** A file the worker read for a document of the host: kept open for statistics. */
export interface OpenDocument {
  readonly source: ByteSource;
  readonly tensors: ReadonlyMap<string, TensorInfo>;
}

/** The worker's open files by the host's document id, and the listings under way by file path. */
export class OpenDocuments {
  private readonly byId = new Map<number, OpenDocument>();
  private readonly listing = new Map<string, Promise<CheckpointIndex>>();

  /**
   * Registers the listing of `path` under way until it settles: opening a file in the editor also
   * indexes it for hovers, and both then share one parse instead of running two side by side.
   */
  shareListing(path: string, index: Promise<CheckpointIndex>): Promise<CheckpointIndex> {
    this.listing.set(path, index);
    const done = (): void => {
      if (this.listing.get(path) === index) this.listing.delete(path);
    };
    index.then(done, done);
    return index;
  }

  /** The listing of `path` under way, if any. */
  listingOf(path: string): Promise<CheckpointIndex> | undefined {
    return this.listing.get(path);
  }

  get(docId: number): OpenDocument | undefined {
    return this.byId.get(docId);
  }

  /** Holds `doc` as `docId`, closing what that id held before (a reload). */
  async set(docId: number, doc: OpenDocument | undefined): Promise<void> {
    const previous = this.byId.get(docId);
    if (doc) this.byId.set(docId, doc);
    else this.byId.delete(docId);
    await previous?.source.close().catch(() => undefined);
  }
}
