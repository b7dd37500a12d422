// CLI behind `npm start`: code-server with this extension (linked into its extensions folder, so it runs
// from dist/: rebuild and reload the window to see changes) and the committed SSAST-shaped sample, which
// opens in the Checkpoint Inspector as soon as a browser connects. The workspace is `.vscode-test/workspace/`
// (git-ignored, kept between runs so conversions written there survive). Ctrl-C stops the server.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCodeServer, sleep, startCodeServer, type CodeServer } from '../codeServer';
import { fixturesDir, projectRoot } from '../paths';

const SAMPLE = 'ssast-tiny-sample.pth';

/**
 * A file named in the URL is opened before the extension's custom editor is registered and lands in the
 * binary-file placeholder. Instead, wait until a window's extension host is up (code-server's CLI reports
 * "No opened code-server instances" until then) and open the file in it, like `code-server FILE` would.
 */
async function openWhenConnected(server: CodeServer, entry: string, file: string): Promise<void> {
  for (;;) {
    const r = spawnSync(process.execPath, [entry, '--user-data-dir', server.userDataDir, '--config', server.configFile, '--reuse-window', file], { encoding: 'utf8' });
    if (r.status === 0 && !/No opened code-server instances/.test(r.stdout + r.stderr)) {
      console.log(`opened ${file} in the connected window`);
      return;
    }
    await sleep(2000);
  }
}

async function main(): Promise<void> {
  const workspace = process.env.AST_WORKSPACE ?? join(projectRoot(), '.vscode-test', 'workspace');
  mkdirSync(workspace, { recursive: true });
  const sample = join(workspace, SAMPLE);
  if (!existsSync(sample)) copyFileSync(join(fixturesDir(), SAMPLE), sample);
  const port = process.env.PORT ? Number(process.env.PORT) : undefined;
  const entry = await ensureCodeServer();
  const server = await startCodeServer({ workspace, port, linkExtension: projectRoot() });
  console.log('');
  console.log(`code-server ${server.url} (pid ${server.pid}) with the extension from ${projectRoot()}`);
  console.log(`workspace: ${workspace}`);
  console.log(`Open this URL in a browser; ${SAMPLE} opens in the Checkpoint Inspector. Ctrl-C here stops the server.`);
  console.log('');
  console.log(`  ${server.workbenchUrl()}`);
  console.log('');
  // Runs until Ctrl-C; the cleanup registry stops the server on SIGINT/SIGTERM.
  await openWhenConnected(server, entry, sample);
  setInterval(() => undefined, 1 << 30);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
