import * as vscode from 'vscode';

export const CHECKPOINT_EXTENSIONS = ['pth', 'pt', 'ckpt', 'bin', 'safetensors'];
const CHECKPOINT_VIEW_TYPES = ['astCheckpoints.checkpointEditor', 'astCheckpoints.checkpointEditor.optional'];
const CLIPBOARD_TIMEOUT_MS = 2000;

function isCheckpointPath(path: string): boolean {
  const dot = path.lastIndexOf('.');
  return dot >= 0 && CHECKPOINT_EXTENSIONS.includes(path.slice(dot + 1).toLowerCase());
}

/** The file of the active tab when it is our checkpoint editor. */
function activeCheckpointEditorUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom && CHECKPOINT_VIEW_TYPES.includes(input.viewType) ? input.uri : undefined;
}

function withTimeout<T>(work: Thenable<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    work.then((v) => { clearTimeout(timer); resolve(v); }, () => { clearTimeout(timer); resolve(undefined); });
  });
}

/**
 * The explorer's selected checkpoint. VS Code has no API for the explorer selection, but its
 * `copyFilePath` command acts on it: run it, read the clipboard, put the user's clipboard back.
 * Without a selection it copies the active editor's path, which the extension filter rejects.
 * Desktop only: a browser refuses clipboard reads and VS Code would show that as an error.
 */
async function explorerSelectionUri(): Promise<vscode.Uri | undefined> {
  if (vscode.env.uiKind !== vscode.UIKind.Desktop || !vscode.workspace.workspaceFolders?.length) return undefined;
  const saved = await withTimeout(vscode.env.clipboard.readText(), CLIPBOARD_TIMEOUT_MS);
  if (saved === undefined) return undefined;
  try {
    await withTimeout(vscode.commands.executeCommand('copyFilePath'), CLIPBOARD_TIMEOUT_MS);
    const copied = (await withTimeout(vscode.env.clipboard.readText(), CLIPBOARD_TIMEOUT_MS)) ?? '';
    const first = copied.split(/\r?\n/)[0]?.trim() ?? '';
    return first !== '' && first !== saved && isCheckpointPath(first) ? vscode.Uri.file(first) : undefined;
  } finally {
    await withTimeout(vscode.env.clipboard.writeText(saved), CLIPBOARD_TIMEOUT_MS);
  }
}

async function pickCheckpointFile(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Convert to HF AST: choose an SSAST/AST checkpoint',
    openLabel: 'Convert',
    canSelectMany: false,
    filters: { 'Checkpoints': CHECKPOINT_EXTENSIONS, 'All files': ['*'] },
  });
  return picked?.[0];
}

/**
 * Which checkpoint the command converts: the URI it was called with (explorer menu, editor
 * title, the editor's button, executeCommand), else the checkpoint open in our editor, else the
 * explorer selection, else one the user picks.
 */
export async function resolveCheckpoint(arg: unknown): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg !== '') return vscode.Uri.file(arg);
  return activeCheckpointEditorUri() ?? (await explorerSelectionUri()) ?? (await pickCheckpointFile());
}
