import type * as vscode from 'vscode';
import type { ExtensionRegistry } from '../registry';
import { CheckpointEditorProvider } from './checkpointEditorProvider';

export function registerCheckpointEditor(context: vscode.ExtensionContext, registry: ExtensionRegistry): void {
  CheckpointEditorProvider.register(context, registry);
}
