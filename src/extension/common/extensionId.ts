import * as vscode from 'vscode';

/** `publisher.name` from package.json. */
export const EXTENSION_ID = 'ssast-tools.ssast-hf-ast';

/** Where this extension is installed (its dist/ holds the worker bundle). */
export function extensionPath(): string {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  if (!extension) throw new Error(`extension ${EXTENSION_ID} is not installed`);
  return extension.extensionPath;
}
