import * as vscode from 'vscode';
import { registerCheckpointEditor } from './editor/registerEditor';
import { registerConvertCommand } from './convert/registerConvert';
import { registerKeyHover } from './hover/registerHover';
import { ReadingWorker } from './reader/readingWorker';

export function activate(context: vscode.ExtensionContext): void {
  // One worker reads for every editor and for key hovers; it starts on the first file it is asked for.
  const reader = ReadingWorker.forExtension(context.extensionPath);
  context.subscriptions.push(reader);
  registerCheckpointEditor(context, reader);
  registerConvertCommand(context);
  registerKeyHover(context, reader);
}

export function deactivate(): void {
  // Everything registered above is disposed through context.subscriptions.
}
