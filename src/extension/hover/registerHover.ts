import * as vscode from 'vscode';
import { openCheckpoint } from '../../core/openCheckpoint';
import { mapCheckpoint } from '../../ast/mapping';
import { openUriSource } from '../common/openUriSource';
import { CheckpointCatalog } from './checkpointCatalog';
import { CheckpointSources } from './checkpointSources';
import { HoverStatusBar, PICK_HOVER_CHECKPOINT_COMMAND } from './hoverStatusBar';
import { KEY_HOVER_SELECTOR, KeyHoverProvider } from './keyHoverProvider';
import { OPEN_IN_INSPECTOR_COMMAND, openInInspector } from './openInInspector';

export const REINDEX_WORKSPACE_COMMAND = 'astCheckpoints.reindexWorkspace';

/**
 * Key hovers: state-dict keys, HF AST names and module prefixes written in code, notebooks,
 * configs and notes show what the known checkpoints hold under that name.
 */
export function registerKeyHover(context: vscode.ExtensionContext): void {
  // Catalog ids are URI strings, so remote and virtual files are indexed too.
  const catalog = new CheckpointCatalog({
    openSource: (id) => openUriSource(vscode.Uri.parse(id)),
    openCheckpoint,
    mapCheckpoint: (index) => mapCheckpoint(index),
  });
  const sources = new CheckpointSources(catalog);
  const enabled = () => sources.hoverEnabled;
  const statusBar = new HoverStatusBar(catalog, context.workspaceState, enabled);

  context.subscriptions.push(
    sources,
    statusBar,
    vscode.languages.registerHoverProvider(KEY_HOVER_SELECTOR, new KeyHoverProvider(catalog, enabled)),
    vscode.commands.registerCommand(OPEN_IN_INSPECTOR_COMMAND, openInInspector),
    vscode.commands.registerCommand(PICK_HOVER_CHECKPOINT_COMMAND, (target?: unknown) => statusBar.pick(target)),
    // Resolves with the number of indexed checkpoints once every file has been read again.
    vscode.commands.registerCommand(REINDEX_WORKSPACE_COMMAND, async () => {
      catalog.clear();
      await sources.rescan();
      await catalog.whenIdle();
      return catalog.indexedCount;
    }),
  );
  void sources.start();
}
