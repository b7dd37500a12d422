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

/**
 * Answers hovers on strings that name a checkpoint key, an HF AST name or a module prefix.
 * Reads only the in-memory catalog: hovering never touches a file.
 */
export class KeyHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly catalog: CheckpointCatalog,
    private readonly enabled: () => boolean,
  ) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    if (!this.enabled()) return undefined;
    const line = document.lineAt(position.line).text;
    const found = stringAtPosition(line, position.character, document.languageId);
    if (!found || found.text.length === 0 || found.text.length > MAX_KEY_LENGTH) return undefined;
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
