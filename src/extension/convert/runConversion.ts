import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { convertCheckpoint, type ConversionResult } from '../../ast/convertCheckpoint';
import { nodeOutputSink } from '../../node/nodeOutputSink';
import { ConversionCancelledError } from '../../ast/errors';
import type { ConversionPlan } from '../../ast/plan';
import type { ByteSource } from '../../core/io/byteSource';

const REPORT_INTERVAL_MS = 100;

export interface ConversionJob {
  readonly plan: ConversionPlan;
  readonly source: ByteSource;
  readonly checkpointPath: string;
  readonly outDir: string;
  readonly force: boolean;
  readonly writePreprocessorConfig: boolean;
}

function megabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

/**
 * Converts in a cancellable notification. Cancelling aborts the conversion, which leaves no
 * folder behind; resolves undefined then.
 */
export function runConversion(job: ConversionJob): Promise<ConversionResult | undefined> {
  return Promise.resolve(vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Converting ${basename(job.checkpointPath)} to HF AST`, cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => controller.abort());
      let reportedPercent = 0;
      let lastReport = 0;
      try {
        return await convertCheckpoint(job.plan, job.source, job.outDir, {
          sink: nodeOutputSink,
          force: job.force,
          signal: controller.signal,
          writePreprocessorConfig: job.writePreprocessorConfig,
          sourceFileName: basename(job.checkpointPath),
          onProgress: (p) => {
            const now = Date.now();
            const finished = p.tensorsDone === p.tensorsTotal;
            if (now - lastReport < REPORT_INTERVAL_MS && !finished) return;
            lastReport = now;
            const percent = p.bytesTotal > 0 ? (100 * p.bytesDone) / p.bytesTotal : 0;
            progress.report({
              increment: percent - reportedPercent,
              message: `${p.tensorsDone}/${p.tensorsTotal} tensors, ${megabytes(p.bytesDone)} of ${megabytes(p.bytesTotal)} MB`,
            });
            reportedPercent = percent;
          },
        });
      } catch (err) {
        if (err instanceof ConversionCancelledError || controller.signal.aborted) return undefined;
        throw err;
      } finally {
        cancel.dispose();
      }
    },
  ));
}

function isInsideWorkspace(folder: vscode.Uri): boolean {
  return vscode.workspace.getWorkspaceFolder(folder) !== undefined;
}

/** The success message; its buttons act later, so the command returns the result right away. */
export function announceResult(result: ConversionResult): void {
  const folder = vscode.Uri.file(result.outDir);
  const warnings = result.warnings.length > 0 ? ` ${result.warnings.length} warning(s), see the report.` : '';
  const message = `Converted to ${basename(result.outDir)} (${result.files.length} files, verified) in ${dirname(result.outDir)}.${warnings}`;
  void vscode.window.showInformationMessage(message, 'Open report', 'Reveal in Explorer', 'Open folder').then(async (choice) => {
    if (choice === 'Open report') {
      await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(result.reportPath));
    } else if (choice === 'Reveal in Explorer') {
      await vscode.commands.executeCommand(isInsideWorkspace(folder) ? 'revealInExplorer' : 'revealFileInOS', folder);
    } else if (choice === 'Open folder') {
      await vscode.commands.executeCommand('vscode.openFolder', folder, { forceNewWindow: true });
    }
  });
}
