/**
 * Opening the checkpoint editor at one tensor row, for callers outside the editor (the hover's
 * "Open in Checkpoint Inspector"). A file gets one tab whatever tensor is asked for: a file that
 * is already open is revealed and told which row to select, never opened a second time under a
 * URI that differs only by its `#tensor=` fragment.
 */
import * as vscode from 'vscode';

/**
 * Row selection travels in the URI fragment: `#tensor=<encodeURIComponent(TensorInfo.name)>`.
 * The editor reads it when it resolves a panel (see `trackPanel`).
 */
export function withTensorFragment(uri: vscode.Uri, tensorName: string): vscode.Uri {
  return uri.with({ fragment: `tensor=${encodeURIComponent(tensorName)}` });
}

/** The tensor name a `#tensor=` fragment asks for, if any. */
export function tensorFromFragment(uri: vscode.Uri): string | undefined {
  const match = /(?:^|&)tensor=([^&]*)/.exec(uri.fragment);
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
}

/** Identity of the file a URI names: the fragment only says where to look in it. */
export function fileKey(uri: vscode.Uri): string {
  return uri.with({ fragment: '' }).toString();
}

interface TrackedPanel {
  readonly panel: vscode.WebviewPanel;
  readonly reveal: (tensorName: string) => void;
}

/**
 * The resolved checkpoint panels of the window and the rows asked for before a panel resolved: one
 * per extension activation (see src/extension/registry.ts), shared by the editor and the hover links.
 */
export class CheckpointPanels implements vscode.Disposable {
  /** Resolved checkpoint panels by `fileKey`. */
  private readonly panelsByFile = new Map<string, Set<TrackedPanel>>();
  /** Rows asked for in a tab whose panel was not resolved yet (a background tab after a window reload). */
  private readonly pendingByFile = new Map<string, string>();

  /**
   * Registers a resolved panel showing `uri` and hands it the row to select first: one asked for
   * before it resolved, else the one in `uri`'s fragment.
   */
  trackPanel(uri: vscode.Uri, panel: vscode.WebviewPanel, reveal: (tensorName: string) => void): vscode.Disposable {
    const key = fileKey(uri);
    const tracked: TrackedPanel = { panel, reveal };
    const panels = this.panelsByFile.get(key) ?? new Set<TrackedPanel>();
    this.panelsByFile.set(key, panels.add(tracked));
    const first = this.pendingByFile.get(key) ?? tensorFromFragment(uri);
    this.pendingByFile.delete(key);
    if (first !== undefined) reveal(first);
    return new vscode.Disposable(() => {
      panels.delete(tracked);
      if (panels.size === 0) this.panelsByFile.delete(key);
    });
  }

  /**
   * Shows `uri` in the checkpoint editor (`viewType` when it is not open yet) with `tensorName`'s
   * row selected, scrolled to and focused.
   */
  async revealTensor(uri: vscode.Uri, viewType: string, tensorName: string | undefined): Promise<void> {
    const key = fileKey(uri);
    const panels = [...(this.panelsByFile.get(key) ?? [])];
    const shown = panels.find((p) => p.panel.active) ?? panels.find((p) => p.panel.visible) ?? panels.at(-1);
    if (shown) {
      shown.panel.reveal(shown.panel.viewColumn);
      if (tensorName !== undefined) shown.reveal(tensorName);
      return;
    }
    const tab = openTab(key, viewType);
    if (tab) {
      if (tensorName !== undefined) this.pendingByFile.set(key, tensorName);
      await vscode.commands.executeCommand('vscode.openWith', tab.input.uri, viewType, tab.column);
      return;
    }
    const resource = tensorName === undefined ? uri : withTensorFragment(uri, tensorName);
    await vscode.commands.executeCommand('vscode.openWith', resource, viewType);
  }

  dispose(): void {
    this.panelsByFile.clear();
    this.pendingByFile.clear();
  }
}

/** The input and column of a `viewType` tab of the file, resolved or not. */
function openTab(key: string, viewType: string): { readonly input: vscode.TabInputCustom; readonly column: vscode.ViewColumn } | undefined {
  for (const group of vscode.window.tabGroups.all) {
    for (const { input } of group.tabs) {
      if (input instanceof vscode.TabInputCustom && input.viewType === viewType && fileKey(input.uri) === key) return { input, column: group.viewColumn };
    }
  }
  return undefined;
}
