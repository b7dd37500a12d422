import * as vscode from 'vscode';
import { registerCheckpointEditor } from './editor/registerEditor';
import { registerConvertCommand } from './convert/registerConvert';
import { registerKeyHover } from './hover/registerHover';

export function activate(context: vscode.ExtensionContext): void {
  registerCheckpointEditor(context);
  registerConvertCommand(context);
  registerKeyHover(context);
}

export function deactivate(): void {
  // Everything registered above is disposed through context.subscriptions.
}
