// CLI behind `npm start`: code-server with this extension (linked into its extensions folder, so it runs
// from dist/: rebuild and reload the window to see changes) and the committed SSAST-shaped sample open in
// the Checkpoint Inspector. The workspace is `.vscode-test/workspace/`
// (git-ignored, kept between runs so conversions written there survive). Ctrl-C stops the server.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startCodeServer, type CodeServer } from '../codeServer';
import { fixturesDir, projectRoot } from '../paths';
import { Workbench } from '../workbench';

const SAMPLE = 'ssast-tiny-sample.pth';

/**
 * A file opened through the URL at startup is resolved before the extension's custom editor is registered
 * and lands in the binary-file placeholder. Opening it once in a headless window instead (as a user would,
 * through Quick Open) leaves it in the server-side workspace state, so the user's window restores it in
 * the Checkpoint Inspector. (Extension development windows keep no such state, hence the linked install.)
 */
async function openSampleOnce(server: CodeServer, workspace: string): Promise<boolean> {
  let wb: Workbench | undefined;
  try {
    wb = await Workbench.attach(server, { workspace, extensionDevelopmentPath: null });
    await wb.quickOpen(SAMPLE);
    await wb.webview().getByText(SAMPLE).first().waitFor({ state: 'visible' });
    return true;
  } catch (err) {
    console.error(`npm start: could not pre-open ${SAMPLE} (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); open it from the explorer.`);
    return false;
  } finally {
    await wb?.close();
  }
}

async function main(): Promise<void> {
  const workspace = process.env.AST_WORKSPACE ?? join(projectRoot(), '.vscode-test', 'workspace');
  mkdirSync(workspace, { recursive: true });
  const sample = join(workspace, SAMPLE);
  if (!existsSync(sample)) copyFileSync(join(fixturesDir(), SAMPLE), sample);
  const port = process.env.PORT ? Number(process.env.PORT) : undefined;
  // Restoring editors is what shows the sample (see openSampleOnce); the test defaults turn it off.
  const server = await startCodeServer({ workspace, port, linkExtension: projectRoot(), settings: { 'window.restoreWindows': 'all' } });
  const opened = await openSampleOnce(server, workspace);
  const url = server.workbenchUrl();
  console.log('');
  console.log(`code-server ${server.url} (pid ${server.pid}) with the extension from ${projectRoot()}`);
  console.log(`workspace: ${workspace}${opened ? ` (${SAMPLE} open in the Checkpoint Inspector)` : ''}`);
  console.log('Open this URL in a browser (Ctrl-C here stops the server):');
  console.log('');
  console.log(`  ${url}`);
  console.log('');
  // Stay alive until Ctrl-C; the cleanup registry stops the server on SIGINT/SIGTERM.
  setInterval(() => undefined, 1 << 30);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
