import * as vscode from 'vscode';

/** Context key true while a checkpoint editor is the active editor (for `when` clauses). */
export const EDITOR_ACTIVE_CONTEXT = 'astCheckpoints.editorActive';

/** Tracks which checkpoint panels are active and mirrors "any" into the context key. */
export class ActiveEditorContext implements vscode.Disposable {
  private readonly active = new Set<vscode.WebviewPanel>();

  track(panel: vscode.WebviewPanel): vscode.Disposable {
    const update = () => {
      if (panel.active) this.active.add(panel);
      else this.active.delete(panel);
      this.publish();
    };
    update();
    const changed = panel.onDidChangeViewState(update);
    return new vscode.Disposable(() => {
      changed.dispose();
      this.active.delete(panel);
      this.publish();
    });
  }

  /** Clears the context key: no checkpoint editor of this activation is active any more. */
  dispose(): void {
    this.active.clear();
    this.publish();
  }

  private publish(): void {
    void vscode.commands.executeCommand('setContext', EDITOR_ACTIVE_CONTEXT, this.active.size > 0);
  }
}
