import * as vscode from 'vscode';
import type { CheckpointCatalog } from './checkpointCatalog';
import { hoverMarkdown } from './hoverMarkdown';
import { OPEN_IN_INSPECTOR_COMMAND, openInInspectorLink } from './openInInspector';
import { stringAtPosition } from './stringAtPosition';

/** Where key hovers work; notebook code cells are `python` documents with their own scheme. */
export const KEY_HOVER_SELECTOR: vscode.DocumentSelector = ['python', 'json', 'jsonc', 'yaml', 'markdown', 'plaintext'].map(
  (language) => ({ language }),
);

/** Longer strings are prose or data, never a state-dict key: skip them without looking. */
const MAX_KEY_LENGTH = 512;
/** Dotted or snake_case identifiers (templates and slashes allowed): what starts indexing. */
const KEY_LIKE = /^[A-Za-z_][\w{}%/-]*[._][\w.{}%/-]*$/;
/** How long the first hover waits for indexing before answering with what is known. */
const FIRST_HOVER_WAIT_MS = 3_000;

/** Resolves once some checkpoint answers `text`, indexing is done, the hover is cancelled, or the wait is over. */
function firstAnswer(catalog: CheckpointCatalog, text: string, token: vscode.CancellationToken): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      changed.dispose();
      cancelled.dispose();
      resolve();
    };
    const check = (): void => {
      if (catalog.pendingCount === 0 || catalog.lookup(text).length > 0) done();
    };
    const timer = setTimeout(done, FIRST_HOVER_WAIT_MS);
    const changed = catalog.onDidChange(check);
    const cancelled = token.onCancellationRequested(done);
    check();
  });
}

/**
 * Answers hovers on strings that name a checkpoint key, an HF AST name or a module prefix.
 * Reads only the in-memory catalog: hovering never touches a file.
 */
export class KeyHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly catalog: CheckpointCatalog,
    private readonly enabled: () => boolean,
  ) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    if (!this.enabled()) return undefined;
    const line = document.lineAt(position.line).text;
    const found = stringAtPosition(line, position.character, document.languageId);
    if (!found || found.text.length === 0 || found.text.length > MAX_KEY_LENGTH) return undefined;
    if (!this.catalog.started) {
      if (!KEY_LIKE.test(found.text)) return undefined;
      // The first hover over a key starts indexing and waits (bounded) for a file that answers.
      this.catalog.start();
      await firstAnswer(this.catalog, found.text, token);
    }
    const markdown = hoverMarkdown(this.catalog.lookup(found.text), {
      displayPath: (id) => vscode.workspace.asRelativePath(vscode.Uri.parse(id)),
      openLink: (id, tensor) => openInInspectorLink(vscode.Uri.parse(id), tensor),
    }, found.text);
    if (markdown === undefined) return undefined;
    const contents = new vscode.MarkdownString(markdown);
    contents.isTrusted = { enabledCommands: [OPEN_IN_INSPECTOR_COMMAND] };
    return new vscode.Hover(contents, new vscode.Range(position.line, found.start, position.line, found.end));
  }
}
