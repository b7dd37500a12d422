import * as vscode from 'vscode';
import { parseLabelCsv } from '../../ast/labels';

const MAX_CSV_FILES = 50;
const MAX_CSV_BYTES = 2 * 1024 * 1024;

export interface LabelCsv {
  readonly uri: vscode.Uri;
  readonly labels: readonly string[];
}

/** The workspace's CSV files that hold labels (AudioSet's class_labels_indices.csv and the like). */
export async function findLabelCsvs(): Promise<LabelCsv[]> {
  const uris = await vscode.workspace.findFiles('**/*.csv', '**/{node_modules,.git}/**', MAX_CSV_FILES);
  const found: LabelCsv[] = [];
  for (const uri of uris) {
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > MAX_CSV_BYTES) continue;
      const labels = parseLabelCsv(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
      if (labels.length > 0) found.push({ uri, labels });
    } catch {
      // An unreadable CSV is simply not offered.
    }
  }
  return found.sort((a, b) => a.uri.fsPath.localeCompare(b.uri.fsPath));
}
