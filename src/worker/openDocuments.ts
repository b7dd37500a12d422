import type { ByteSource } from '../core/io/byteSource';
import type { TensorInfo } from '../core/tensors/tensorInfo';

/** A file the worker read for a document of the host: kept open for statistics. */
export interface OpenDocument {
  readonly source: ByteSource;
  readonly tensors: ReadonlyMap<string, TensorInfo>;
}

/** The worker's open files by the host's document id. */
export class OpenDocuments {
  private readonly byId = new Map<number, OpenDocument>();

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
