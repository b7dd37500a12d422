import type * as vscode from 'vscode';
import { registerCheckpointEditor } from './editor/registerEditor';
import { registerConvertCommand } from './convert/registerConvert';
import { registerKeyHover } from './hover/registerHover';
import { startEventLoopProbe } from './bench/eventLoopProbe';
import { ExtensionRegistry } from './registry';

export function activate(context: vscode.ExtensionContext): void {
  const registry = new ExtensionRegistry(context.extensionPath);
  context.subscriptions.push(registry);
  registerCheckpointEditor(context, registry);
  registerConvertCommand(context);
  registerKeyHover(context, registry);
  const probe = startEventLoopProbe(process.env);
  if (probe) context.subscriptions.push(probe);
}

export function deactivate(): void {
  // Everything registered above, the registry included, is disposed through context.subscriptions.
}
