import * as vscode from 'vscode';
import type { CheckpointKeysData } from '../../ast/checkpointKeysData';
import { WorkspaceFsSource } from '../common/workspaceFsSource';
import type { ReadingWorker } from '../reader/readingWorker';
import type { ExtensionRegistry } from '../registry';
import { CheckpointCatalog } from './checkpointCatalog';
import { CheckpointSources } from './checkpointSources';
import { HoverStatusBar, PICK_HOVER_CHECKPOINT_COMMAND } from './hoverStatusBar';
import { KEY_HOVER_SELECTOR, KeyHoverProvider } from './keyHoverProvider';
import { OPEN_IN_INSPECTOR_COMMAND, openInInspector } from './openInInspector';

export const REINDEX_WORKSPACE_COMMAND = 'astCheckpoints.reindexWorkspace';
/** Not in the palette: how far indexing got (tests and the benchmark check that activation reads nothing). */
export const HOVER_INDEX_STATE_COMMAND = 'astCheckpoints.hoverIndexState';

/**
 * Key hovers: state-dict keys, HF AST names and module prefixes written in code, notebooks,
 * configs and notes show what the known checkpoints hold under that name.
 */
export function registerKeyHover(context: vscode.ExtensionContext, { reader, panels }: ExtensionRegistry): void {
  // Catalog ids are URI strings, so remote and virtual files are indexed too; the worker reads them.
  // Lazy: activation finds the workspace's checkpoints but reads none until a hover asks.
  const catalog = new CheckpointCatalog({ readKeys: (id) => readKeysInWorker(reader, vscode.Uri.parse(id)) }, 1, true);
  const sources = new CheckpointSources(catalog);
  const enabled = () => sources.hoverEnabled;
  const statusBar = new HoverStatusBar(catalog, context.workspaceState, enabled);

  context.subscriptions.push(
    sources,
    statusBar,
    vscode.languages.registerHoverProvider(KEY_HOVER_SELECTOR, new KeyHoverProvider(catalog, enabled)),
    vscode.commands.registerCommand(OPEN_IN_INSPECTOR_COMMAND, (target?: unknown, tensorName?: unknown) => openInInspector(panels, target, tensorName)),
    vscode.commands.registerCommand(PICK_HOVER_CHECKPOINT_COMMAND, (target?: unknown) => statusBar.pick(target)),
    vscode.commands.registerCommand(HOVER_INDEX_STATE_COMMAND, () => ({
      started: catalog.started,
      indexed: catalog.indexedCount,
      failed: catalog.failedCount,
      pending: catalog.pendingCount,
    })),
    // Resolves with the number of indexed checkpoints once every file has been read again.
    vscode.commands.registerCommand(REINDEX_WORKSPACE_COMMAND, async () => {
      catalog.clear();
      catalog.start();
      await sources.rescan();
      await catalog.whenIdle();
      return catalog.indexedCount;
    }),
  );
  void sources.start();
}

/** Local files are read by the worker itself; other schemes through range requests served from here. */
async function readKeysInWorker(reader: ReadingWorker, uri: vscode.Uri): Promise<CheckpointKeysData> {
  if (uri.scheme === 'file') return reader.request({ kind: 'keys', source: { kind: 'file', path: uri.fsPath } }).result;
  const source = await WorkspaceFsSource.open(uri);
  const registration = reader.registerSource(source);
  try {
    return await reader.request({ kind: 'keys', source: { kind: 'host', sourceId: registration.sourceId, name: source.name, size: source.size } }).result;
  } finally {
    registration.dispose();
    await source.close();
  }
}
