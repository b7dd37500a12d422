import * as vscode from 'vscode';
import type { CheckpointCatalog } from './checkpointCatalog';

export const PICK_HOVER_CHECKPOINT_COMMAND = 'astCheckpoints.pickHoverCheckpoint';

/** workspaceState key of the checkpoint the user picked to answer first. */
const PREFERRED_KEY = 'astCheckpoints.hover.preferred';

/**
 * "$(database) N checkpoints" in the status bar: how many checkpoints key hovers know, and the
 * way to choose which one answers first.
 */
export class HoverStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('astCheckpoints.hoverIndex', vscode.StatusBarAlignment.Right, 100);
  private readonly listening: { dispose(): void };

  constructor(
    private readonly catalog: CheckpointCatalog,
    private readonly state: vscode.Memento,
    private readonly enabled: () => boolean,
  ) {
    this.item.name = 'Checkpoint Key Hovers';
    this.item.command = PICK_HOVER_CHECKPOINT_COMMAND;
    const preferred = state.get<string>(PREFERRED_KEY);
    if (preferred) catalog.setPreferred(preferred);
    this.listening = catalog.onDidChange(() => this.render());
    this.render();
  }

  private render(): void {
    const indexed = this.catalog.indexedCount;
    const pending = this.catalog.pendingCount;
    if (!this.enabled() || indexed + pending + this.catalog.failedCount === 0) {
      this.item.hide();
      return;
    }
    const noun = (n: number): string => (n === 1 ? 'checkpoint' : 'checkpoints');
    if (!this.catalog.started) {
      // Found, not read: reading waits for the first hover over a key or an opened checkpoint.
      this.item.text = `$(database) ${pending} ${noun(pending)}`;
      this.item.tooltip = `${pending} ${noun(pending)} found; key hovers read them when you first hover a key.\nClick to choose the checkpoint that answers first.`;
      this.item.show();
      return;
    }
    this.item.text = pending > 0 ? `$(sync~spin) ${indexed} ${noun(indexed)}, ${pending} to index` : `$(database) ${indexed} ${noun(indexed)}`;
    const preferred = this.catalog.preferredPath;
    const first = preferred ? vscode.workspace.asRelativePath(vscode.Uri.parse(preferred)) : 'open checkpoints, then the most recently written';
    const failed = this.catalog.failedCount > 0 ? `\n${this.catalog.failedCount} file(s) could not be read.` : '';
    this.item.tooltip = `Key hovers answer from ${first}.${failed}\nClick to choose the checkpoint that answers first.`;
    this.item.show();
  }

  /**
   * `astCheckpoints.pickHoverCheckpoint(target?)`: with a Uri or URI string, prefers it directly;
   * otherwise asks. Resolves with the preferred catalog id (undefined: automatic order).
   */
  async pick(target?: unknown): Promise<string | undefined> {
    if (target instanceof vscode.Uri || typeof target === 'string') {
      const uri = typeof target === 'string' ? vscode.Uri.parse(target) : target;
      return this.prefer(uri.with({ fragment: '' }).toString());
    }
    type Item = vscode.QuickPickItem & { id: string | undefined };
    const automatic: Item = { id: undefined, label: '$(list-ordered) Automatic', description: 'open checkpoints first, then the most recently written' };
    const items: Item[] = [automatic];
    for (const entry of this.catalog.entriesInOrder()) {
      const uri = vscode.Uri.parse(entry.path);
      const detail = entry.keys
        ? [`${entry.keys.tensorCount} tensors`, entry.format, entry.keys.counts ? `${entry.keys.counts.mapped} map to HF AST` : undefined]
            .filter((s) => s !== undefined)
            .join(' · ')
        : `not readable: ${entry.error ?? 'unknown error'}`;
      items.push({
        id: entry.path,
        label: `${entry.path === this.catalog.preferredPath ? '$(pass-filled) ' : ''}${uri.path.split('/').pop() ?? entry.path}`,
        description: vscode.workspace.asRelativePath(uri),
        detail,
      });
    }
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Checkpoint for Key Hovers',
      placeHolder: 'Which checkpoint should answer first when several hold the hovered key?',
      matchOnDescription: true,
    });
    if (!picked) return this.catalog.preferredPath;
    return this.prefer(picked.id);
  }

  private async prefer(id: string | undefined): Promise<string | undefined> {
    this.catalog.setPreferred(id);
    await this.state.update(PREFERRED_KEY, id);
    return id;
  }

  dispose(): void {
    this.listening.dispose();
    this.item.dispose();
  }
}
