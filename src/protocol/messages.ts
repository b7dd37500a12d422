/**
 * The one protocol between the checkpoint editor's extension host side and its webview.
 * Both sides import these types; nothing else crosses the boundary. Requests travel by the shared
 * protocol of rpc.ts: each is answered by exactly one `response` (ok or error), and the webview
 * fails a request itself when no answer arrives within its bound (see `requestTimeoutMs`).
 */
import type { CheckpointFormat, GlobalRef, MetaValue, ModuleSource, SafetyVerdict, StateDictLocation } from '../core/checkpointIndex';
import type { DType } from '../core/tensors/dtype';
import type { TensorStatistics } from '../core/tensors/statistics';
import type { HfModelKind, KeyMappingStatus } from '../ast/keyMapping';
import type { ErrorShape } from '../core/errors';
import type { PackedRows } from './packedRows';
import type { ClientMessage, ServerMessage } from './rpc';

// ---------------------------------------------------------------- view model (host → webview)

export interface FileFacts {
  /** Base name shown in the header. */
  readonly name: string;
  /** Full URI string, shown as the header's tooltip. */
  readonly uri: string;
  readonly size?: number;
}

export interface TargetView {
  readonly name: string;
  readonly shape: readonly number[];
  readonly sourceRows?: readonly [number, number];
  readonly transform: string;
}

/** One table row: a tensor with its mapping. Plain data so it clones cheaply at 100 k rows. */
export interface TensorRow {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
  readonly storageOffset: number;
  readonly storageKey: string;
  readonly numel: number;
  readonly bytes: number;
  readonly byteRange: readonly [number, number];
  readonly status: KeyMappingStatus;
  readonly targets: readonly TargetView[];
  /** Why it is dropped or unknown. */
  readonly reason?: string;
  /** Sparse layout, quantization, Fortran order (TensorInfo.layout). */
  readonly layout?: string;
  /** Why its values cannot be read (TensorInfo.unreadable): statistics say so instead of running. */
  readonly unreadable?: string;
}

export interface DTypeShare {
  readonly dtype: DType;
  readonly tensors: number;
  readonly bytes: number;
}

export interface SafetyView {
  readonly verdict: SafetyVerdict;
  readonly globals: readonly GlobalRef[];
  /** Dangerous constructs that are not a named global (SafetyReport.findings). */
  readonly findings?: readonly string[];
  /** For not-weights-only files: the Python lines that let `torch.load(weights_only=True)` accept its known data types. */
  readonly allowlistSnippet?: string;
  /** Not-weights-only globals that are not known data types: allowing them would let the file's author run code. */
  readonly unknownCode?: readonly string[];
}

export interface MappingView {
  readonly model: HfModelKind;
  readonly stateDictPath: readonly string[];
  readonly keyPrefix: string;
  readonly counts: { readonly mapped: number; readonly dropped: number; readonly unknown: number };
  /** "137 of 147 tensors map to HF AST; 10 dropped: pretext heads". */
  readonly coverage: string;
  readonly missing: readonly { readonly name: string; readonly shape: readonly number[] }[];
}

/** How `pos_embed` rows split into class tokens and the patch grid, and which inputs give that grid. */
export interface PosEmbedBreakdown {
  readonly tensor: string;
  readonly rows: number;
  readonly clsTokens: number;
  readonly patches: number;
  readonly grid?: { readonly f: number; readonly t: number };
  readonly patchSize?: readonly [number, number];
  /** Input sizes (mel bins × frames) that produce the grid for a given stride. */
  readonly layouts: readonly { readonly stride: readonly [number, number]; readonly melBins: number; readonly frames: number }[];
}

export interface CheckpointView {
  readonly kind: 'checkpoint';
  readonly file: FileFacts;
  readonly format: CheckpointFormat;
  readonly tensorCount: number;
  readonly parameterCount: number;
  readonly dtypeMix: readonly DTypeShare[];
  readonly safety: SafetyView;
  /** Detected family summary, or why detection failed. */
  readonly detection: { readonly summary: string; readonly refusal?: { readonly reason: string; readonly hint: string } } | { readonly error: string };
  readonly mapping: MappingView | { readonly error: string };
  readonly rows: readonly TensorRow[];
  readonly posEmbed?: PosEmbedBreakdown;
  readonly stateDicts: readonly StateDictLocation[];
  readonly metadata: MetaValue;
  readonly headerMetadata: Readonly<Record<string, string>>;
  /** Legacy whole-module saves: each module class's source as saved with the file. */
  readonly moduleSources: readonly ModuleSource[];
  readonly warnings: readonly string[];
  /** Milliseconds the host spent reading the file and mapping it. */
  readonly loadMs: number;
}

export interface ErrorView {
  readonly kind: 'error';
  readonly file: FileFacts;
  /** Error class name, e.g. `ZipFormatError`. */
  readonly errorName: string;
  /** The ErrorShape's `code`, e.g. `zip-format`, `worker-crashed`. */
  readonly code: ErrorShape['code'];
  readonly message: string;
  readonly offset?: number;
  readonly entry?: string;
  /** What torch.load would have run before the same error: shown above it, never an error without a verdict. */
  readonly safety?: SafetyView;
}

export type DocumentView = CheckpointView | ErrorView;

/** A CheckpointView as it travels: the rows in columns (see packedRows.ts). */
export type CheckpointViewWire = Omit<CheckpointView, 'rows'> & { readonly packedRows: PackedRows };
export type DocumentViewWire = CheckpointViewWire | ErrorView;

// ---------------------------------------------------------------- requests (webview → host)

/** Statistics travel exactly as the core computes them (plain numbers, structured-clone safe). */
export type StatisticsView = TensorStatistics;

export type HostRequest =
  | { readonly kind: 'statistics'; readonly tensor: string; readonly bins: number }
  | { readonly kind: 'copy'; readonly text: string }
  | { readonly kind: 'convert' }
  | { readonly kind: 'reload' };

export type HostRequestKind = HostRequest['kind'];

/** What each request resolves to. */
export interface HostResponses {
  readonly statistics: StatisticsView;
  readonly copy: null;
  readonly convert: null;
  readonly reload: null;
}

export type WebviewToHost = { readonly type: 'ready' } | ClientMessage<HostRequest>;

export type HostToWebview =
  | { readonly type: 'init'; readonly view: DocumentViewWire; readonly reason: 'open' | 'changed' | 'reload' }
  | { readonly type: 'loading'; readonly file: FileFacts }
  /** Select, scroll to and focus this tensor's row (sent only after an `init` with a checkpoint view). */
  | { readonly type: 'reveal'; readonly tensor: string }
  | ServerMessage<HostResponses[HostRequestKind]>;

/** Bound on `ready` → `loading`/`init`; after `loading`, the view may take as long as a reload. */
export const READY_TIMEOUT_MS = 10_000;

/**
 * Bound after which the webview fails a request it has no answer for. Statistics stream progress;
 * their bound counts from the last progress message, so a large tensor may take longer overall.
 */
export function requestTimeoutMs(kind: HostRequestKind): number {
  if (kind === 'statistics') return 30_000;
  // A reload answers once the file was read again, which for a large file takes seconds.
  return kind === 'reload' ? 120_000 : 10_000;
}
