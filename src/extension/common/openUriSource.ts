import type * as vscode from 'vscode';
import type { ByteSource } from '../../core/io/byteSource';
import { openFileSource } from '../../core/io/nodeFileSource';
import { PagedSource } from './pagedSource';
import { WorkspaceFsSource } from './workspaceFsSource';

/** Paged positional file reads for local files; `workspace.fs` (already in memory) for every other scheme. */
export async function openUriSource(uri: vscode.Uri): Promise<ByteSource> {
  return uri.scheme === 'file' ? new PagedSource(await openFileSource(uri.fsPath)) : WorkspaceFsSource.open(uri);
}
