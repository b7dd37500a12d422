import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorShape } from '../../core/errors';
import type { ByteSource } from '../../core/io/byteSource';
import { errorView } from '../../protocol/errorView';
import type { DocumentViewWire, FileFacts, StatisticsView, TensorRow } from '../../protocol/messages';
import { findRow } from '../../protocol/packedRows';
import type { SourceSpec } from '../../protocol/readerMessages';
import { extensionPath } from '../common/extensionId';
import { ReadingWorker } from '../reader/readingWorker';
import { WorkspaceFsSource } from '../common/workspaceFsSource';

/** The host's part of a non-file source: served to the worker by range requests while the document holds it. */
interface HostSource {
  readonly source: ByteSource;
  readonly registration: vscode.Disposable;
}

const RELOAD_DEBOUNCE_MS = 300;

/**
 * One opened checkpoint. The reading worker lists, maps and keeps the file open; the document holds
 * the view it sent (rows still packed, exactly as they go on to the webview) and re-reads when the
 * file changes on disk or the worker had to be restarted. Reading starts at once and never throws:
 * the editor shows "Reading…" until the first view is ready, and failures become an error view.
 */
export class CheckpointDocument implements vscode.CustomDocument {
  private wire: DocumentViewWire | undefined;
  private hostSource: HostSource | undefined;
  private readonly docId: number;
  private readonly changed = new vscode.EventEmitter<DocumentViewWire>();
  private readonly reloading = new vscode.EventEmitter<void>();
  private readonly watcher: vscode.FileSystemWatcher | undefined;
  private readonly workerStopped: vscode.Disposable;
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private reloadChain: Promise<DocumentViewWire | undefined> = Promise.resolve(undefined);
  private disposed = false;

  /** Fires with each new view: the first one, and after the file changed or a reload was asked for. */
  readonly onDidChangeView = this.changed.event;
  /** Fires before a reload swaps the view: running requests must stop. */
  readonly onWillReload = this.reloading.event;
  /** Settles when the first view is ready. */
  readonly ready: Promise<void>;

  private constructor(
    readonly uri: vscode.Uri,
    private readonly reader: ReadingWorker,
    private readonly ownsReader: boolean,
  ) {
    this.docId = reader.newDocumentId();
    this.watcher = createWatcher(uri);
    const schedule = () => this.scheduleReload();
    this.watcher?.onDidChange(schedule);
    this.watcher?.onDidCreate(schedule);
    this.watcher?.onDidDelete(schedule);
    // A file the dead worker held is read again by the next one; a file that failed stays failed
    // (reading it again might be what killed the worker).
    this.workerStopped = reader.onDidStop(() => {
      if (this.wire?.kind === 'checkpoint') void this.reload();
    });
    this.ready = this.reload().then(() => undefined);
  }

  /**
   * Starts reading `uri` with `reader` (the extension's shared worker); without one, the document
   * starts a worker of its own and ends it on dispose. The document has no view until `ready` settles.
   */
  static open(uri: vscode.Uri, reader?: ReadingWorker): CheckpointDocument {
    return reader ? new CheckpointDocument(uri, reader, false) : new CheckpointDocument(uri, ReadingWorker.forExtension(extensionPath()), true);
  }

  get file(): FileFacts {
    return fileFacts(this.uri);
  }

  get view(): DocumentViewWire | undefined {
    return this.wire;
  }

  /** The row of tensor `name` in the current view. */
  tensor(name: string): TensorRow | undefined {
    return this.wire?.kind === 'checkpoint' ? findRow(this.wire.packedRows, name) : undefined;
  }

  /** Statistics of one tensor, computed by the worker; `signal` stops them there. */
  statistics(tensor: string, bins: number, signal: AbortSignal, onProgress: (done: number, total: number) => void): Promise<StatisticsView> {
    const handle = this.reader.request({ kind: 'statistics', docId: this.docId, tensor, bins }, onProgress);
    const cancel = () => handle.cancel();
    signal.addEventListener('abort', cancel, { once: true });
    return handle.result.finally(() => signal.removeEventListener('abort', cancel));
  }

  /** Re-reads the file; concurrent calls run one after another. Resolves with the new view. */
  reload(): Promise<DocumentViewWire | undefined> {
    this.reloadChain = this.reloadChain.then(async () => {
      if (this.disposed) return undefined;
      const next = await this.read();
      if (this.disposed) {
        next.hostSource?.registration.dispose();
        await next.hostSource?.source.close().catch(() => undefined);
        return undefined;
      }
      this.reloading.fire();
      const previous = this.hostSource;
      this.wire = next.wire;
      this.hostSource = next.hostSource;
      previous?.registration.dispose();
      await previous?.source.close().catch(() => undefined);
      this.changed.fire(next.wire);
      return next.wire;
    });
    return this.reloadChain;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.reloadTimer);
    this.watcher?.dispose();
    this.workerStopped.dispose();
    this.changed.dispose();
    this.reloading.dispose();
    this.hostSource?.registration.dispose();
    void this.hostSource?.source.close().catch(() => undefined);
    if (this.ownsReader) this.reader.dispose();
    else this.reader.request({ kind: 'close', docId: this.docId }).result.catch(() => undefined);
  }

  private scheduleReload(): void {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => void this.reload(), RELOAD_DEBOUNCE_MS);
  }

  /** One read by the worker; whatever fails (the file, the host's source, the worker) becomes an error view. */
  private async read(): Promise<{ readonly wire: DocumentViewWire; readonly hostSource?: HostSource }> {
    const file = fileFacts(this.uri);
    let hostSource: HostSource | undefined;
    try {
      let spec: SourceSpec;
      if (this.uri.scheme === 'file') spec = { kind: 'file', path: this.uri.fsPath };
      else {
        const source = await WorkspaceFsSource.open(this.uri);
        const registration = this.reader.registerSource(source);
        hostSource = { source, registration };
        spec = { kind: 'host', sourceId: registration.sourceId, name: source.name, size: source.size };
      }
      const wire = await this.reader.request({ kind: 'open', docId: this.docId, file, source: spec }).result;
      return { wire, ...(hostSource ? { hostSource } : {}) };
    } catch (err) {
      hostSource?.registration.dispose();
      await hostSource?.source.close().catch(() => undefined);
      return { wire: errorView(file, errorShape(err)) };
    }
  }
}

function fileFacts(uri: vscode.Uri): FileFacts {
  // A `#tensor=` fragment says which row to show first; it is not part of the file's name.
  return { name: path.posix.basename(uri.path), uri: uri.with({ fragment: '' }).toString(true) };
}

function createWatcher(uri: vscode.Uri): vscode.FileSystemWatcher | undefined {
  try {
    const folder = vscode.Uri.joinPath(uri, '..');
    return vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, path.posix.basename(uri.path)));
  } catch {
    // Some file systems cannot be watched; the view refreshes only on request.
    return undefined;
  }
}
