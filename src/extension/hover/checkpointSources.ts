import * as vscode from 'vscode';
import { CHECKPOINT_VIEW_TYPES } from '../editor/checkpointEditorProvider';
import type { CatalogFile, CheckpointCatalog } from './checkpointCatalog';

/** The `astCheckpoints.hover.*` settings that decide what gets indexed. */
export interface HoverSettings {
  readonly enabled: boolean;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly maxFileBytes: number;
}

export function readHoverSettings(): HoverSettings {
  const cfg = vscode.workspace.getConfiguration('astCheckpoints.hover');
  return {
    enabled: cfg.get<boolean>('enabled', true),
    include: cfg.get<string[]>('include', []),
    exclude: cfg.get<string[]>('exclude', []),
    maxFileBytes: cfg.get<number>('maxFileSizeMB', 8192) * 1024 * 1024,
  };
}

/** Catalog ids are URI strings without fragment: `#tensor=` links must not make a second entry. */
export function catalogId(uri: vscode.Uri): string {
  return uri.with({ fragment: '' }).toString();
}

/** How long to let a file settle after a watcher event before reading it (writes come in bursts). */
const SETTLE_MS = 400;

/**
 * Feeds the catalog: workspace files matching the include globs (minus excludes, up to the size
 * limit), kept fresh by file watchers, plus every file open in the checkpoint editor, whatever
 * its name or size, which also answers hovers first.
 */
export class CheckpointSources implements vscode.Disposable {
  private settings = readHoverSettings();
  private watchers: vscode.Disposable[] = [];
  private watchedGlobs = '[]';
  private readonly subscriptions: vscode.Disposable[] = [];
  private workspaceIds = new Set<string>();
  private openIds: string[] = [];
  private readonly settling = new Map<string, ReturnType<typeof setTimeout>>();
  private rescanTimer: ReturnType<typeof setTimeout> | undefined;
  private scanning: Promise<void> = Promise.resolve();

  constructor(private readonly catalog: CheckpointCatalog) {
    this.subscriptions.push(
      vscode.window.tabGroups.onDidChangeTabs(() => void this.syncOpenEditors()),
      vscode.window.tabGroups.onDidChangeTabGroups(() => void this.syncOpenEditors()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.rescan()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('astCheckpoints.hover')) void this.rescan();
      }),
    );
  }

  get hoverEnabled(): boolean {
    return this.settings.enabled;
  }

  /** Starts indexing (open editors first) and watching. */
  start(): Promise<void> {
    void this.syncOpenEditors();
    return this.rescan();
  }

  /** Re-reads settings, finds workspace checkpoints again and updates the watchers. */
  rescan(): Promise<void> {
    this.scanning = this.scanning.then(() => this.scan()).catch((err: unknown) => {
      void vscode.window.showWarningMessage(`Checkpoint key hovers: workspace scan failed: ${err instanceof Error ? err.message : String(err)}`);
    });
    return this.scanning;
  }

  private async scan(): Promise<void> {
    this.settings = readHoverSettings();
    this.syncWatchers();
    const found = new Map<string, vscode.Uri>();
    if (this.settings.enabled) {
      const exclude = globUnion(this.settings.exclude);
      for (const include of this.settings.include) {
        for (const uri of await vscode.workspace.findFiles(include, exclude)) found.set(catalogId(uri), uri);
      }
    }
    const stats = await Promise.all([...found.values()].map((uri) => statFile(uri)));
    const kept = stats
      .filter((s): s is CatalogFile => s !== undefined && s.size <= this.settings.maxFileBytes)
      .sort((a, b) => b.mtimeMs - a.mtimeMs); // recently written checkpoints are the ones being worked on
    this.workspaceIds = new Set(kept.map((s) => s.path));
    this.catalog.retainOnly(new Set([...this.workspaceIds, ...this.openIds]));
    for (const file of kept) this.catalog.add(file);
    await this.syncOpenEditors();
  }

  /** One watcher per include glob, re-created only when the globs change (rescans are frequent). */
  private syncWatchers(): void {
    const globs = this.settings.enabled ? this.settings.include : [];
    const key = JSON.stringify(globs);
    if (key === this.watchedGlobs) return;
    this.disposeWatchers();
    this.watchedGlobs = key;
    for (const include of globs) {
      const watcher = vscode.workspace.createFileSystemWatcher(include);
      // A new file may match an exclude glob, which only findFiles can tell: rescan (debounced).
      watcher.onDidCreate(() => this.scheduleRescan());
      watcher.onDidChange((uri) => this.scheduleRefresh(uri));
      watcher.onDidDelete((uri) => {
        const id = catalogId(uri);
        this.workspaceIds.delete(id);
        if (!this.openIds.includes(id)) this.catalog.remove(id);
      });
      this.watchers.push(watcher);
    }
  }

  private scheduleRescan(): void {
    if (this.rescanTimer) clearTimeout(this.rescanTimer);
    this.rescanTimer = setTimeout(() => void this.rescan(), SETTLE_MS);
  }

  /** A known file changed: read it again once it stops changing (the stamp check skips no-ops). */
  private scheduleRefresh(uri: vscode.Uri): void {
    const id = catalogId(uri);
    if (!this.workspaceIds.has(id) && !this.openIds.includes(id)) return;
    const pending = this.settling.get(id);
    if (pending) clearTimeout(pending);
    this.settling.set(
      id,
      setTimeout(async () => {
        this.settling.delete(id);
        const stat = await statFile(uri);
        if (stat) this.catalog.add(stat, this.openIds.includes(id));
      }, SETTLE_MS),
    );
  }

  /** Files open in the checkpoint editor, the active one first: indexed at once, answering first. */
  private async syncOpenEditors(): Promise<void> {
    const uris = new Map<string, vscode.Uri>();
    const activeInput = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    const inputs = [activeInput, ...vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.input))];
    for (const input of this.settings.enabled ? inputs : []) {
      if (input instanceof vscode.TabInputCustom && (CHECKPOINT_VIEW_TYPES as readonly string[]).includes(input.viewType)) {
        uris.set(catalogId(input.uri), input.uri);
      }
    }
    const closed = this.openIds.filter((id) => !uris.has(id) && !this.workspaceIds.has(id));
    this.openIds = [...uris.keys()];
    for (const id of closed) this.catalog.remove(id);
    this.catalog.setPinned(this.openIds);
    const stats = await Promise.all([...uris.values()].map((uri) => statFile(uri)));
    for (const stat of stats) if (stat) this.catalog.add(stat, true);
  }

  private disposeWatchers(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    this.watchedGlobs = '[]';
  }

  dispose(): void {
    this.disposeWatchers();
    for (const s of this.subscriptions) s.dispose();
    for (const t of this.settling.values()) clearTimeout(t);
    if (this.rescanTimer) clearTimeout(this.rescanTimer);
  }
}

async function statFile(uri: vscode.Uri): Promise<CatalogFile | undefined> {
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    return { path: catalogId(uri), mtimeMs: stat.mtime, size: stat.size };
  } catch {
    return undefined; // deleted between the event and the stat
  }
}

/** findFiles takes one exclude pattern: join several into a brace alternative. */
function globUnion(globs: readonly string[]): string | undefined {
  if (globs.length === 0) return undefined;
  return globs.length === 1 ? globs[0] : `{${globs.join(',')}}`;
}
