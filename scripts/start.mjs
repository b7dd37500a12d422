// `npm start`: builds the extension, makes sure code-server is installed, then serves the workbench with the
// extension and the committed sample checkpoint open in the Checkpoint Inspector. Ctrl-C stops everything.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './testFiles.mjs';

function step(args) {
  const r = spawnSync(process.execPath, args, { cwd: projectRoot, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!existsSync(join(projectRoot, 'node_modules', 'esbuild'))) {
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: projectRoot, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
step(['scripts/build.mjs']);
step(['scripts/build-tests.mjs', 'harness']);
step(['out/test/harness/bin/ensureCodeServer.js']);
// Same process group and stdio: Ctrl-C reaches the server script, which stops code-server by pid and exits.
const r = spawnSync(process.execPath, ['out/test/harness/bin/serve.js'], { cwd: projectRoot, stdio: 'inherit' });
process.exit(r.status === 130 || r.signal === 'SIGINT' ? 0 : (r.status ?? 1));
