// Time to first rows in the checkpoint editor, in real VS Code (code-server + Chromium, test/harness):
// from pressing Enter on the file in Quick Open until the webview shows its first tensor row
// (`[data-testid=tensor-row]`, see webview/views/tensorTable.ts). Files are opened alternately and every
// editor is closed between runs, so each open reads the file again.
import { performance } from 'node:perf_hooks';
import { Workbench } from '../../test/harness/workbench';
import { median } from './processRuns';

export interface EditorTiming {
  readonly file: string;
  /** Medians over the runs. */
  readonly firstRowsMs: number;
  /** What the extension host spent reading the file (`data-load-ms` on the webview's #app). */
  readonly hostLoadMs: number;
  readonly tensorsListed: number;
  readonly runs: readonly number[];
}

const QUICK_INPUT = '.quick-input-widget';

export async function measureEditor(workspace: string, files: readonly string[], runs: number, log: (line: string) => void): Promise<EditorTiming[]> {
  const wb = await Workbench.start({ workspace, timeoutMs: 180_000 });
  try {
    const samples = files.map(() => ({ firstRows: [] as number[], hostLoad: [] as number[], tensors: 0 }));
    for (let r = 0; r < runs; r++) {
      for (const [i, file] of files.entries()) {
        const { firstRowsMs, hostLoadMs, tensors } = await openOnce(wb, file);
        log(`  editor ${file}: first rows after ${firstRowsMs.toFixed(0)} ms (host read ${hostLoadMs} ms, ${tensors} tensors)`);
        samples[i]!.firstRows.push(firstRowsMs);
        samples[i]!.hostLoad.push(hostLoadMs);
        samples[i]!.tensors = tensors;
        await wb.runCommand('View: Close All Editors');
        await wb.page.locator('.part.editor .tabs-container .tab').first().waitFor({ state: 'detached' });
      }
    }
    return files.map((file, i) => ({
      file,
      firstRowsMs: median(samples[i]!.firstRows),
      hostLoadMs: median(samples[i]!.hostLoad),
      tensorsListed: samples[i]!.tensors,
      runs: samples[i]!.firstRows,
    }));
  } finally {
    await wb.close();
  }
}

async function openOnce(wb: Workbench, file: string): Promise<{ firstRowsMs: number; hostLoadMs: number; tensors: number }> {
  const page = wb.page;
  await page.keyboard.press('Control+P');
  await page.locator(`${QUICK_INPUT} .quick-input-box input`).waitFor({ state: 'visible' });
  await page.keyboard.type(file);
  await page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row.focused`, { hasText: file }).first().waitFor({ state: 'visible' });
  const started = performance.now();
  await page.keyboard.press('Enter');
  const view = wb.webview();
  await view.locator('[data-testid=tensor-row]').first().waitFor({ state: 'visible' });
  const firstRowsMs = performance.now() - started;
  return {
    firstRowsMs,
    hostLoadMs: Number(await view.locator('#app').getAttribute('data-load-ms')),
    tensors: Number(await view.locator('[data-testid=row-count]').getAttribute('data-shown')),
  };
}
