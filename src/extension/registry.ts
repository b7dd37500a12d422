import * as vscode from 'vscode';
import { ActiveEditorContext } from './editor/activeEditorContext';
import { CheckpointPanels } from './editor/revealTensor';
import { ReadingWorker } from './reader/readingWorker';

/**
 * The state shared across editors and features, created once in `activate` and disposed on
 * deactivate: the reading worker, the open checkpoint panels with their pending reveals, and the
 * context key mirroring whether a checkpoint editor is active. Nothing of it lives in module scope.
 */
export class ExtensionRegistry implements vscode.Disposable {
  /** One worker reads for every editor and for key hovers; it starts on the first file it is asked for. */
  readonly reader: ReadingWorker;
  readonly panels = new CheckpointPanels();
  readonly activeEditor = new ActiveEditorContext();

  constructor(extensionPath: string) {
    this.reader = ReadingWorker.forExtension(extensionPath);
  }

  dispose(): void {
    this.panels.dispose();
    this.activeEditor.dispose();
    this.reader.dispose();
  }
}
