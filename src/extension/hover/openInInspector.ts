import * as vscode from 'vscode';
import { CHECKPOINT_VIEW_TYPES } from '../editor/checkpointEditorProvider';
import type { CheckpointPanels } from '../editor/revealTensor';

export const OPEN_IN_INSPECTOR_COMMAND = 'astCheckpoints.openInInspector';

/** A `command:` link for Markdown opening `uri` in the inspector, at `tensorName` when given. */
export function openInInspectorLink(uri: vscode.Uri, tensorName: string | undefined): string {
  const args = tensorName === undefined ? [uri.toString()] : [uri.toString(), tensorName];
  return `command:${OPEN_IN_INSPECTOR_COMMAND}?${encodeURIComponent(JSON.stringify(args))}`;
}

/**
 * `astCheckpoints.openInInspector(target?, tensorName?)`. `target` is a Uri (explorer menu),
 * a URI string (hover links) or absent (palette: the active editor's file).
 */
export async function openInInspector(panels: CheckpointPanels, target?: unknown, tensorName?: unknown): Promise<void> {
  const uri = target instanceof vscode.Uri ? target : typeof target === 'string' ? vscode.Uri.parse(target) : activeResource();
  if (!uri) {
    void vscode.window.showErrorMessage('Open in Checkpoint Inspector: no checkpoint file is selected or active.');
    return;
  }
  await panels.revealTensor(uri, viewTypeFor(uri), typeof tensorName === 'string' ? tensorName : undefined);
}

/** `.bin` and `.safetensors` belong to the optional editor; the rest to the default one. */
function viewTypeFor(uri: vscode.Uri): string {
  return /\.(bin|safetensors|pkl|pickle|joblib|npy|npz)$/i.test(uri.path) ? CHECKPOINT_VIEW_TYPES[1] : CHECKPOINT_VIEW_TYPES[0];
}

function activeResource(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom) return input.uri;
  return vscode.window.activeTextEditor?.document.uri;
}
