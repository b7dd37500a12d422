import type * as vscode from 'vscode';

// Placeholder until this feature lands; replaced by its owner.
export function registerCheckpointEditor(_context: vscode.ExtensionContext): void {}
