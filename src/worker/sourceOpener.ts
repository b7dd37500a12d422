import type { ByteSource } from '../core/io/byteSource';
import { checkRange } from '../core/io/checkRange';
import { openFileSource } from '../node/nodeFileSource';
import { PagedSource } from '../core/io/pagedSource';
import type { SourceRequest, SourceResponses, SourceSpec } from '../protocol/readerMessages';
import type { RequestClient } from '../protocol/rpc';

/** Opens what a SourceSpec names: local files directly, every other scheme through the host. */
export class SourceOpener {
  constructor(private readonly hostReads: RequestClient<SourceRequest, SourceResponses>) {}

  async open(spec: SourceSpec): Promise<ByteSource> {
    // Pages turn the ~100 k tiny reads of a large listing into a few hundred positional reads.
    if (spec.kind === 'file') return new PagedSource(await openFileSource(spec.path));
    return new PagedSource(this.hostSource(spec));
  }

  /** Range requests to the host, which holds the `workspace.fs` source registered as `sourceId`. */
  private hostSource(spec: Extract<SourceSpec, { kind: 'host' }>): ByteSource {
    const { name, size, sourceId } = spec;
    return {
      name,
      size,
      read: async (offset, length) => {
        checkRange(name, size, offset, length);
        return this.hostReads.request({ kind: 'read', sourceId, offset, length }).result;
      },
      // The host owns the source and closes it with its document.
      close: async () => undefined,
    };
  }
}

/**
 * `source` failing every read once `signal` aborted: the core's readers have no signal of their own,
 * and every step of a listing reads, so a cancelled or timed-out open stops at its next read.
 */
export function abortableSource(source: ByteSource, signal: AbortSignal): ByteSource {
  const check = (): void => {
    if (signal.aborted) throw new Error(`${source.name}: reading stopped (${String(signal.reason ?? 'cancelled')})`);
  };
  return {
    name: source.name,
    size: source.size,
    read: async (offset, length) => {
      check();
      return source.read(offset, length);
    },
    ...(source.readInto ? { readInto: async (offset: number, target: Uint8Array) => { check(); await source.readInto!(offset, target); } } : {}),
    close: () => source.close(),
  };
}
