import type * as vscode from 'vscode';
import { CheckpointEditorProvider } from './checkpointEditorProvider';

export function registerCheckpointEditor(context: vscode.ExtensionContext): void {
  CheckpointEditorProvider.register(context);
}
