import type * as vscode from 'vscode';
import type { ReadingWorker } from '../reader/readingWorker';
import { CheckpointEditorProvider } from './checkpointEditorProvider';

export function registerCheckpointEditor(context: vscode.ExtensionContext, reader: ReadingWorker): void {
  CheckpointEditorProvider.register(context, reader);
}
