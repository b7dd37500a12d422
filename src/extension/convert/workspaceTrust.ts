import * as vscode from 'vscode';

export const MANAGE_TRUST = 'Manage Workspace Trust';

/**
 * Commands that write files run only in a trusted workspace. In Restricted Mode (an untrusted download, say)
 * they say so instead and offer VS Code's trust editor; reading (inspector, hovers) needs no trust, since the
 * reader never runs a checkpoint's code. Resolves at once: the caller never waits on the notification.
 */
export function refuseUntrusted(action: string): boolean {
  if (vscode.workspace.isTrusted) return false;
  void vscode.window
    .showWarningMessage(
      `${action} writes files, so it needs a trusted workspace. This folder is in Restricted Mode: the Checkpoint Inspector and key hovers keep working, and nothing was written.`,
      MANAGE_TRUST,
    )
    .then((choice) => (choice === MANAGE_TRUST ? vscode.commands.executeCommand('workbench.trust.manage') : undefined));
  return true;
}
