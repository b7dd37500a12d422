/**
 * The protocol between the extension host and its reading worker (src/worker). Same request/reply/
 * progress/cancel messages as host ↔ webview (rpc.ts), in both directions on one port: the host asks
 * the worker to read, the worker asks the host for bytes it cannot reach itself. A new kind of work
 * is one member of `ReaderRequest`, one entry of `ReaderResponses` and `readerTimeoutMs`, and one
 * handler in the worker (the handler table does not compile without it).
 */
import type { DocumentViewWire, FileFacts, StatisticsView } from './messages';
import type { CheckpointKeysData } from '../ast/checkpointKeysData';
import type { ClientMessage, ServerMessage } from './rpc';

/** Where the worker gets a file's bytes: itself for local files, from the host for every other scheme. */
export type SourceSpec =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'host'; readonly sourceId: number; readonly name: string; readonly size: number };

// ---------------------------------------------------------------- host → worker

export type ReaderRequest =
  /** Lists, maps and detects the file; the worker keeps it open as `docId` for later requests. */
  | { readonly kind: 'open'; readonly docId: number; readonly file: FileFacts; readonly source: SourceSpec }
  | { readonly kind: 'statistics'; readonly docId: number; readonly tensor: string; readonly bins: number }
  | { readonly kind: 'close'; readonly docId: number }
  /** Hover indexing: what key hovers need of one file (metadata only), the file closed again. */
  | { readonly kind: 'keys'; readonly source: SourceSpec };

export type ReaderRequestKind = ReaderRequest['kind'];

export interface ReaderResponses {
  readonly open: DocumentViewWire;
  readonly statistics: StatisticsView;
  readonly close: null;
  readonly keys: CheckpointKeysData;
}

/** Opening and indexing a large file take seconds; statistics stream progress and count from the last. */
export function readerTimeoutMs(kind: ReaderRequestKind): number {
  switch (kind) {
    case 'open':
    case 'keys':
      return 120_000;
    case 'statistics':
      return 30_000;
    case 'close':
      return 10_000;
  }
}

// ---------------------------------------------------------------- worker → host

export type SourceRequest = { readonly kind: 'read'; readonly sourceId: number; readonly offset: number; readonly length: number };

export interface SourceResponses {
  readonly read: Uint8Array;
}

export function sourceTimeoutMs(): number {
  return 60_000;
}

export type HostToWorker = ClientMessage<ReaderRequest> | ServerMessage<SourceResponses['read']>;
export type WorkerToHost = ClientMessage<SourceRequest> | ServerMessage<ReaderResponses[ReaderRequestKind]>;
