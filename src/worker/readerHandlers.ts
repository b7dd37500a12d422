import { tensorStatistics } from '../core/tensors/statistics';
import { openCheckpoint } from '../core/openCheckpoint';
import { checkpointKeysData, readCheckpointKeys } from '../ast/checkpointKeysData';
import { packedRowsBuffers, toWire } from '../protocol/packedRows';
import type { ReaderRequest, ReaderResponses } from '../protocol/readerMessages';
import type { RequestHandlers } from '../protocol/rpc';
import { buildErrorView } from './view/buildView';
import type { OpenDocuments } from './openDocuments';
import { readDocument } from './readDocument';
import { abortableSource, type SourceOpener } from './sourceOpener';

/** Progress messages per second while statistics stream: enough for a smooth bar, cheap to send. */
const PROGRESS_INTERVAL_MS = 100;

/** The worker's answer to each kind of request (one entry per ReaderRequest kind). */
export function readerHandlers(documents: OpenDocuments, opener: SourceOpener): RequestHandlers<ReaderRequest, ReaderResponses> {
  return {
    async open({ docId, file, source: spec }, { signal, transfer }) {
      const started = Date.now();
      let source;
      try {
        source = await opener.open(spec);
      } catch (err) {
        await documents.set(docId, undefined);
        return buildErrorView(file, err);
      }
      const guarded = abortableSource(source, signal);
      const listing = openCheckpoint(guarded);
      if (spec.kind === 'file') documents.shareListing(spec.path, listing);
      const read = await readDocument(file, guarded, listing, started);
      if (signal.aborted) {
        await source.close().catch(() => undefined);
        throw new Error(`${file.name}: reading stopped`);
      }
      await documents.set(docId, read.view.kind === 'checkpoint' ? { source, tensors: read.tensors } : undefined);
      if (read.view.kind === 'error') await source.close().catch(() => undefined);
      const wire = toWire(read.view);
      if (wire.kind === 'checkpoint') transfer(packedRowsBuffers(wire.packedRows));
      return wire;
    },

    async statistics({ docId, tensor: name, bins }, { signal, progress }) {
      const doc = documents.get(docId);
      const tensor = doc?.tensors.get(name);
      if (!doc || !tensor) throw new Error(`${doc?.source.name ?? `document ${docId}`}: no tensor named ${name}`);
      let lastProgress = 0;
      const stats = await tensorStatistics(doc.source, tensor, {
        bins,
        signal,
        onProgress: (done, total) => {
          const now = Date.now();
          if (now - lastProgress < PROGRESS_INTERVAL_MS && done < total) return;
          lastProgress = now;
          progress(done, total);
        },
      });
      return { ...stats, histogram: { min: stats.histogram.min, max: stats.histogram.max, counts: [...stats.histogram.counts] } };
    },

    async close({ docId }) {
      await documents.set(docId, undefined);
      return null;
    },

    async keys({ source: spec }, { signal }) {
      const shared = spec.kind === 'file' ? documents.listingOf(spec.path) : undefined;
      const index = await shared?.catch(() => undefined);
      if (index) return checkpointKeysData(index);
      const source = await opener.open(spec);
      try {
        return await readCheckpointKeys(abortableSource(source, signal));
      } finally {
        await source.close().catch(() => undefined);
      }
    },
  };
}
