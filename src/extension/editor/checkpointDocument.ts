import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ByteSource } from '../../core/io/byteSource';
import type { TensorInfo } from '../../core/tensors/tensorInfo';
import { openCheckpoint } from '../../core/openCheckpoint';
import { mapCheckpoint } from '../../ast/mapping';
import { detectModel } from '../../ast/detect';
import type { DocumentView, FileFacts } from '../../protocol/messages';
import { openUriSource } from '../common/openUriSource';
import { buildCheckpointView, buildErrorView } from './buildView';
import { detectionFacts } from './detectionFacts';

/** What one successful read of the file gives: kept together so a reload swaps it atomically. */
interface Loaded {
  readonly source: ByteSource | undefined;
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  readonly view: DocumentView;
}

const RELOAD_DEBOUNCE_MS = 300;

/**
 * One opened checkpoint: owns the byte source, the index and the mapping, and re-reads the file
 * when it changes on disk. Reading starts at once and never throws: the editor shows "Reading…"
 * until the first view is ready, and failures become an error view.
 */
export class CheckpointDocument implements vscode.CustomDocument {
  private loaded: Loaded | undefined;
  private readonly changed = new vscode.EventEmitter<DocumentView>();
  private readonly reloading = new vscode.EventEmitter<void>();
  private readonly watcher: vscode.FileSystemWatcher | undefined;
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private reloadChain: Promise<void> = Promise.resolve();
  private disposed = false;

  /** Fires with each new view: the first one, and after the file changed or a reload was asked for. */
  readonly onDidChangeView = this.changed.event;
  /** Fires before a reload swaps the source: running reads must stop. */
  readonly onWillReload = this.reloading.event;
  /** Settles when the first view is ready. */
  readonly ready: Promise<void>;

  private constructor(readonly uri: vscode.Uri) {
    this.watcher = createWatcher(uri);
    const schedule = () => this.scheduleReload();
    this.watcher?.onDidChange(schedule);
    this.watcher?.onDidCreate(schedule);
    this.watcher?.onDidDelete(schedule);
    this.ready = this.reload();
  }

  /** Starts reading `uri`; the returned document has no view until `ready` settles. */
  static open(uri: vscode.Uri): CheckpointDocument {
    return new CheckpointDocument(uri);
  }

  get file(): FileFacts {
    return fileFacts(this.uri);
  }

  get view(): DocumentView | undefined {
    return this.loaded?.view;
  }

  get source(): ByteSource | undefined {
    return this.loaded?.source;
  }

  tensor(name: string): TensorInfo | undefined {
    return this.loaded?.tensors.get(name);
  }

  /** Re-reads the file; concurrent calls run one after another. */
  reload(): Promise<void> {
    this.reloadChain = this.reloadChain.then(async () => {
      if (this.disposed) return;
      const next = await load(this.uri);
      if (this.disposed) {
        await next.source?.close().catch(() => undefined);
        return;
      }
      this.reloading.fire();
      const previous = this.loaded;
      this.loaded = next;
      await previous?.source?.close().catch(() => undefined);
      this.changed.fire(next.view);
    });
    return this.reloadChain;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.reloadTimer);
    this.watcher?.dispose();
    this.changed.dispose();
    this.reloading.dispose();
    void this.loaded?.source?.close().catch(() => undefined);
  }

  private scheduleReload(): void {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => void this.reload(), RELOAD_DEBOUNCE_MS);
  }
}

function fileFacts(uri: vscode.Uri): FileFacts {
  // A `#tensor=` fragment says which row to show first; it is not part of the file's name.
  return { name: path.posix.basename(uri.path), uri: uri.with({ fragment: '' }).toString(true) };
}

async function load(uri: vscode.Uri): Promise<Loaded> {
  const started = Date.now();
  let source: ByteSource | undefined;
  try {
    source = await openUriSource(uri);
    const index = await openCheckpoint(source);
    const mapping = attempt(() => mapCheckpoint(index));
    const detection = await detectModel(index, source).then(detectionFacts, toError);
    const view = buildCheckpointView({ file: fileFacts(uri), index, mapping, detection, loadMs: Date.now() - started });
    return { source, tensors: new Map(index.tensors.map((t) => [t.name, t])), view };
  } catch (err) {
    await source?.close().catch(() => undefined);
    return { source: undefined, tensors: new Map(), view: buildErrorView({ ...fileFacts(uri), ...(source ? { size: source.size } : {}) }, err) };
  }
}

function attempt<T>(fn: () => T): T | Error {
  try {
    return fn();
  } catch (err) {
    return toError(err);
  }
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function createWatcher(uri: vscode.Uri): vscode.FileSystemWatcher | undefined {
  try {
    const folder = vscode.Uri.joinPath(uri, '..');
    return vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, path.posix.basename(uri.path)));
  } catch {
    // Some file systems cannot be watched; the view then refreshes only on request.
    return undefined;
  }
}
